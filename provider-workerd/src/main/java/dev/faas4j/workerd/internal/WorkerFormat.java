package dev.faas4j.workerd.internal;

import dev.faas4j.api.FaasException;
import java.util.regex.Pattern;

/** The two kinds of script workerd runs. */
public enum WorkerFormat {
  /** {@code addEventListener("fetch", ...)}; env vars are globals. */
  SERVICE_WORKER("service-worker"),
  /** {@code export default { fetch(request, env) }}; env vars are properties of {@code env}. */
  MODULE("module");

  // An export statement at the start of a line: the cheap sign of an ES module. Code that hides
  // its exports elsewhere (or mentions "export" at the start of a line inside a string) can
  // say which it is with the "format" option.
  private static final Pattern EXPORT = Pattern.compile(
      "(?m)^[ \\t]*export[ \\t]*(default\\b|\\{|\\*|const\\b|let\\b|var\\b|function\\b|async\\b|class\\b)");

  private final String optionValue;

  WorkerFormat(String optionValue) {
    this.optionValue = optionValue;
  }

  /** The value of the {@code format} option that selects this format. */
  public String optionValue() {
    return optionValue;
  }

  /**
   * The format named by the {@code format} option, or detected from the code when the option is
   * null.
   *
   * @throws FaasException INVALID_REQUEST for an unknown option value
   */
  public static WorkerFormat of(String option, String code) {
    if (option == null) {
      return EXPORT.matcher(code).find() ? MODULE : SERVICE_WORKER;
    }
    for (WorkerFormat format : values()) {
      if (format.optionValue.equals(option)) {
        return format;
      }
    }
    throw FaasException.invalid("option format='" + abbreviate(option) + "' is not known to the workerd"
        + " provider: use 'service-worker' or 'module', or leave it out to detect it from the code");
  }

  static String abbreviate(String value) {
    String printable = value.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= 40 ? printable : printable.substring(0, 37) + "...";
  }
}
