package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import java.time.Instant;
import java.util.Map;

/**
 * Checks a state before it reaches the database: code within the size limit, every string
 * encodable as UTF-8 (no unpaired surrogate), no NUL in columns PostgreSQL cannot hold it in,
 * creation times that fit in milliseconds since the epoch.
 *
 * <p>Stateless and thread-safe.
 */
public final class StoreInput {

  /** The earliest and latest creation times a {@code BIGINT} of milliseconds can hold. */
  private static final Instant EARLIEST = Instant.ofEpochMilli(Long.MIN_VALUE / 2);
  private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE / 2);

  private StoreInput() {}

  /**
   * Checks every version of {@code state}.
   *
   * @throws FaasException with reason {@code PAYLOAD_TOO_LARGE} if some code is larger than
   *     {@code maxCodeBytes} in UTF-8, or {@code INVALID_REQUEST} for a string that cannot be stored
   */
  public static void check(FunctionState state, long maxCodeBytes) {
    for (FunctionVersion version : state.versions()) {
      FunctionSpec spec = version.spec();
      String where = spec.name() + ":" + spec.version();
      text(where, "runtime", spec.runtime(), true);
      text(where, "image", spec.image(), true);
      long codeBytes = text(where, "code", spec.code(), true);
      if (codeBytes > maxCodeBytes) {
        throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE, "the code of " + where + " is "
            + codeBytes + " bytes (UTF-8); the limit is " + maxCodeBytes
            + " bytes: make the script smaller, or raise maxCodeBytes on the JdbcFunctionStore builder");
      }
      map(where, "env var", spec.env());
      map(where, "label", spec.labels());
      map(where, "option", spec.options());
      if (version.createdAt().isBefore(EARLIEST) || version.createdAt().isAfter(LATEST)) {
        throw FaasException.invalid("the creation time of " + where + " (" + version.createdAt()
            + ") is out of the range the store can hold");
      }
    }
  }

  private static void map(String where, String what, Map<String, String> map) {
    map.forEach((key, value) -> {
      text(where, what + " name", key, false);
      text(where, what + " '" + key + "'", value, false);
    });
  }

  /**
   * Checks one string and returns its length in UTF-8 bytes (0 for null).
   *
   * @param column whether the value goes into a column of its own, where PostgreSQL refuses NUL
   *     (map entries are JSON, where NUL is escaped)
   */
  static long text(String where, String what, String value, boolean column) {
    if (value == null) {
      return 0;
    }
    long bytes = 0;
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        if (c == 0 && column) {
          throw FaasException.invalid("the " + what + " of " + where + " contains a NUL character, which is not allowed");
        }
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw FaasException.invalid("the " + what + " of " + where + " is not valid Unicode: it has an unpaired"
            + " surrogate (\\u" + Integer.toHexString(c) + ") at index " + i
            + ", which cannot be encoded as UTF-8; send valid UTF-8 text");
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
