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
 * ({@code [A-Za-z_][A-Za-z0-9_]*}). Every violation is a {@link FaasException} with reason
 * {@link FaasException.Reason#INVALID_REQUEST} and a message that names the offending value.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class Validation {

  /** The longest DNS label. */
  public static final int MAX_LABEL_LENGTH = 63;
  /** The longest environment variable key. */
  public static final int MAX_ENV_KEY_LENGTH = 128;

  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
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
    if (!LABEL.matcher(value).matches()) {
      throw FaasException.invalid(what + " '" + abbreviate(value) + "' is not valid: use letters, digits"
          + " and '-', starting and ending with a letter or digit (a DNS label)");
    }
    return value;
  }

  /** Whether {@code value} is a DNS label; never throws. */
  public static boolean isLabel(String value) {
    return value != null && value.length() <= MAX_LABEL_LENGTH && LABEL.matcher(value).matches();
  }

  /** The canonical (lower-case) form of a label, used for lookups and keys. */
  public static String canonical(String label) {
    return label.toLowerCase(Locale.ROOT);
  }

  /**
   * Checks every key of an environment map: identifiers of at most {@link #MAX_ENV_KEY_LENGTH}
   * characters, non-null values.
   */
  public static Map<String, String> requireEnv(Map<String, String> env) {
    env.forEach((key, value) -> {
      if (key == null || !IDENTIFIER.matcher(key).matches() || key.length() > MAX_ENV_KEY_LENGTH) {
        throw FaasException.invalid("env var name '" + abbreviate(String.valueOf(key)) + "' is not valid:"
            + " use letters, digits and '_', not starting with a digit");
      }
      if (value == null) {
        throw FaasException.invalid("env var '" + key + "' has no value; values must be strings");
      }
      if (value.indexOf('\u0000') >= 0) {
        throw FaasException.invalid("env var '" + key + "' contains a NUL character, which is not allowed");
      }
    });
    return env;
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
