package dev.faas4j.api;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules every name, version, alias and environment variable must follow, in one place.
 *
 * <p>Function names, versions and aliases are DNS labels (RFC 1123): 1 to 63 characters,
 * letters, digits and hyphens, starting and ending with a letter or digit. They are compared
 * case-insensitively, as DNS does. Environment variable keys are identifiers
 * ({@code [A-Za-z_][A-Za-z0-9_]*}) that do not start with the reserved prefix
 * {@value #RESERVED_ENV_PREFIX} (in any case); a function has at most {@value #MAX_ENV_VARS} of
 * them, each value at most {@value #MAX_ENV_VALUE_BYTES} UTF-8 bytes and all values together at
 * most {@value #MAX_ENV_TOTAL_BYTES}. Every violation is a {@link FaasException} with reason
 * {@link FaasException.Reason#INVALID_REQUEST} (or {@link FaasException.Reason#PAYLOAD_TOO_LARGE}
 * for a size limit) and a message that names the offending value.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class Validation {

  /** The longest DNS label. */
  public static final int MAX_LABEL_LENGTH = 63;
  /** The longest environment variable key. */
  public static final int MAX_ENV_KEY_LENGTH = 128;
  /** The most environment variables one version may have. */
  public static final int MAX_ENV_VARS = 128;
  /** The largest value of one environment variable, in UTF-8 bytes. */
  public static final int MAX_ENV_VALUE_BYTES = 64 * 1024;
  /** The largest sum of the sizes of all environment values of one version, in UTF-8 bytes. */
  public static final int MAX_ENV_TOTAL_BYTES = 1024 * 1024;
  /** Env keys starting with this (compared case-insensitively) are reserved for faas4j itself. */
  public static final String RESERVED_ENV_PREFIX = "FAAS4J_";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern OPTION_KEY = Pattern.compile("[a-z][a-z0-9.-]{0,62}");

  private Validation() {}

  /**
   * Checks that {@code value} is a DNS label and returns it unchanged.
   *
   * @param what what the value names, for the message: "function name", "version", "alias"
   * @throws FaasException with reason {@code INVALID_REQUEST} if it is not a DNS label
   */
  public static String requireLabel(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw FaasException.invalid(what + " is required");
    }
    if (value.length() > MAX_LABEL_LENGTH) {
      throw FaasException.invalid(what + " '" + abbreviate(value) + "' is " + value.length()
          + " characters long; the limit is " + MAX_LABEL_LENGTH);
    }
    if (!hasLabelSyntax(value)) {
      throw FaasException.invalid(what + " '" + abbreviate(value) + "' is not valid: use letters, digits"
          + " and '-', starting and ending with a letter or digit (a DNS label)");
    }
    return value;
  }

  /** Whether {@code value} is a DNS label; never throws. */
  public static boolean isLabel(String value) {
    return value != null && value.length() <= MAX_LABEL_LENGTH && hasLabelSyntax(value);
  }

  /**
   * Letters, digits and '-', not starting or ending with '-', and not empty. Written out rather than
   * a regular expression: every routed request checks one or two labels, and a {@code Matcher}
   * per check showed in the proxy's allocation profile.
   */
  private static boolean hasLabelSyntax(String value) {
    int last = value.length() - 1;
    if (last < 0 || value.charAt(0) == '-' || value.charAt(last) == '-') {
      return false;
    }
    for (int i = 0; i <= last; i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** The canonical (lower-case) form of a label, used for lookups and keys. */
  public static String canonical(String label) {
    return label.toLowerCase(Locale.ROOT);
  }

  /**
   * Checks an environment map: at most {@link #MAX_ENV_VARS} entries; keys are identifiers of at
   * most {@link #MAX_ENV_KEY_LENGTH} characters outside the reserved prefix
   * {@link #RESERVED_ENV_PREFIX}; values are non-null strings without NUL, each at most
   * {@link #MAX_ENV_VALUE_BYTES} and together at most {@link #MAX_ENV_TOTAL_BYTES} UTF-8 bytes.
   *
   * @return {@code env}, unchanged
   * @throws FaasException INVALID_REQUEST for a bad key or value, PAYLOAD_TOO_LARGE over a size limit
   */
  public static Map<String, String> requireEnv(Map<String, String> env) {
    if (env.size() > MAX_ENV_VARS) {
      throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE, "there are " + env.size()
          + " env vars; the limit is " + MAX_ENV_VARS + " (put structured settings into one JSON value)");
    }
    long total = 0;
    for (Map.Entry<String, String> entry : env.entrySet()) {
      String key = entry.getKey();
      String value = entry.getValue();
      if (key == null || !IDENTIFIER.matcher(key).matches() || key.length() > MAX_ENV_KEY_LENGTH) {
        throw FaasException.invalid("env var name '" + abbreviate(String.valueOf(key)) + "' is not valid:"
            + " use letters, digits and '_', not starting with a digit, at most " + MAX_ENV_KEY_LENGTH + " characters");
      }
      if (key.regionMatches(true, 0, RESERVED_ENV_PREFIX, 0, RESERVED_ENV_PREFIX.length())) {
        throw FaasException.invalid("env var name '" + abbreviate(key) + "' is reserved: names starting with "
            + RESERVED_ENV_PREFIX + " belong to faas4j; choose another name");
      }
      if (value == null) {
        throw FaasException.invalid("env var '" + key + "' has no value; values must be strings");
      }
      requireText("env var '" + key + "'", value);
      long bytes = utf8Length(value);
      if (bytes > MAX_ENV_VALUE_BYTES) {
        throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE, "env var '" + key + "' is " + bytes
            + " bytes; the limit is " + MAX_ENV_VALUE_BYTES + " bytes per value");
      }
      total += bytes;
    }
    if (total > MAX_ENV_TOTAL_BYTES) {
      throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE, "env var values add up to " + total
          + " bytes; the limit is " + MAX_ENV_TOTAL_BYTES + " bytes for all of them");
    }
    return env;
  }

  /**
   * Refuses text that cannot be stored or written as UTF-8: a NUL character, or a lone UTF-16
   * surrogate (a JSON body may spell one as {@code "\\udc00"}), which no UTF-8 encoder accepts.
   *
   * @param what names the text in the message, e.g. {@code "code"} or {@code "env var 'KEY'"}
   * @return {@code text}, unchanged
   * @throws FaasException INVALID_REQUEST naming the first bad character and where it is
   */
  public static String requireText(String what, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        throw FaasException.invalid(what + " contains a NUL character, which is not allowed");
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++; // a pair: one supplementary character
      } else if (Character.isSurrogate(c)) {
        throw FaasException.invalid(what + " contains a lone UTF-16 surrogate (\\u"
            + Integer.toHexString(c) + " at index " + i + "), which is not text and cannot be encoded as UTF-8");
      }
    }
    return text;
  }

  /** The UTF-8 length of {@code s}, without encoding it. */
  private static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Checks the keys of a provider option map: lower case, digits, '.', '-'. */
  public static Map<String, String> requireOptions(Map<String, String> options) {
    options.forEach((key, value) -> {
      if (key == null || !OPTION_KEY.matcher(key).matches()) {
        throw FaasException.invalid("option name '" + abbreviate(String.valueOf(key)) + "' is not valid:"
            + " use lower-case letters, digits, '.' and '-'");
      }
      if (value == null) {
        throw FaasException.invalid("option '" + key + "' has no value");
      }
      requireText("option '" + key + "'", value);
    });
    return options;
  }

  /** Shortens a value for an error message, so a hostile 1 MiB name does not become a 1 MiB message. */
  static String abbreviate(String value) {
    String printable = value.codePoints()
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
    return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
  }
}
