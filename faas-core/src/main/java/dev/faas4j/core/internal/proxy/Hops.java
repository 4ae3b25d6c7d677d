package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;

/**
 * The {@value #HEADER} request header: how many times a request has already been forwarded to a
 * function. faas4j sends every function the count it received plus one (a request without the
 * header counts 0), and refuses a request that arrives with the limit or more with 508, before
 * anything is forwarded. A function that calls functions through faas4j passes the header on, so a
 * chain (or a loop) of calls ends after the limit. A function that drops the header starts again
 * from 0: the counter bounds well-behaved chains, while the network policy is what keeps a hostile
 * function from calling back into faas4j at all. Stateless and thread-safe.
 */
public final class Hops {

  /** The request header that carries the count. */
  public static final String HEADER = "X-Faas4j-Hops";
  /** The default limit: a request that has been through 16 functions is refused. */
  public static final int DEFAULT_MAX = 16;

  private Hops() {}

  /**
   * The count a request arrived with: 0 without the header; the largest when it has several
   * values.
   *
   * @throws FaasException INVALID_REQUEST when a value is not a whole number
   */
  public static int arrived(ClientExchange client) {
    String values = client.headerValues(HEADER);
    if (values == null) {
      return 0;
    }
    int count = 0;
    for (String value : values.split(",", -1)) {
      String digits = value.strip();
      if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw FaasException.invalid(HEADER + " must be a whole number of at most 9 digits (the number of times"
            + " faas4j has forwarded this request to a function), not '" + abbreviate(value.strip()) + "'");
      }
      count = Math.max(count, Integer.parseInt(digits));
    }
    return count;
  }

  /**
   * Refuses a request that has been through {@code max} functions already.
   *
   * @throws FaasException LOOP_DETECTED (508) at or over the limit; INVALID_REQUEST for a bad value
   */
  public static void check(ClientExchange client, int max) {
    int arrived = arrived(client);
    if (arrived >= max) {
      throw new FaasException(Reason.LOOP_DETECTED, "this request has been forwarded to functions " + arrived
          + " times (" + HEADER + "), and the limit is " + max + ": a function probably calls itself, directly or"
          + " through others");
    }
  }

  /** The value to send the function: what the request arrived with, plus one. */
  static String next(ClientExchange client) {
    return Integer.toString(arrived(client) + 1);
  }

  private static String abbreviate(String value) {
    return value.length() <= 20 ? value : value.substring(0, 20) + "...";
  }
}
