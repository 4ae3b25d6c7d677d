package dev.faas4j.workerd.internal;

import dev.faas4j.api.FaasException;

/** The two kinds of script workerd runs. */
public enum WorkerFormat {
  /** {@code addEventListener("fetch", ...)}; env vars are globals. */
  SERVICE_WORKER("service-worker"),
  /** {@code export default { fetch(request, env) }}; env vars are properties of {@code env}. */
  MODULE("module");

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
      return ModuleSyntax.hasExport(code) ? MODULE : SERVICE_WORKER;
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
