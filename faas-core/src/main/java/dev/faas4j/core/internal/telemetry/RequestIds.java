package dev.faas4j.core.internal.telemetry;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: every function request carries one in {@value #HEADER}, the client's when it is sane
 * or a new one, so that a caller's answer (or error) and the log lines about it can be matched.
 *
 * <p>Stateless; thread-safe.
 */
public final class RequestIds {

  /** The header that carries the id to the function and back to the client. */
  public static final String HEADER = "X-Request-Id";
  /** The SLF4J MDC key under which faas4j's log lines about a request name its id. */
  public static final String MDC_KEY = "requestId";
  /** The longest client id kept; a longer one is replaced. */
  public static final int MAX_LENGTH = 128;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /**
   * {@code candidate} if it is a sane id (1 to {@value #MAX_LENGTH} characters among letters,
   * digits and {@code - _ . : + / = ~}), else a new one.
   */
  public static String accept(String candidate) {
    return isSane(candidate) ? candidate : newId();
  }

  /** Whether {@code candidate} may be passed on as it is. */
  public static boolean isSane(String candidate) {
    if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < candidate.length(); i++) {
      char c = candidate.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=' || c == '~';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A new id: 32 random hex digits (an id, not a secret). */
  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[32];
    long bits = random.nextLong();
    for (int i = 0; i < 16; i++, bits >>>= 4) {
      id[i] = HEX[(int) (bits & 0xf)];
    }
    bits = random.nextLong();
    for (int i = 16; i < 32; i++, bits >>>= 4) {
      id[i] = HEX[(int) (bits & 0xf)];
    }
    return new String(id);
  }
}
