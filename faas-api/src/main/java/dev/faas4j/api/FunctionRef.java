package dev.faas4j.api;

import java.util.Objects;

/**
 * Identifies one version of one function.
 *
 * <p>Both parts are stored in canonical (lower-case) form, so two references that differ only in
 * case are equal, as DNS names are. The spelling a function was deployed with is kept in
 * {@link FunctionSpec#name()}.
 *
 * @param name the function's canonical name, a DNS label
 * @param version the version's canonical name, a DNS label
 */
public record FunctionRef(String name, String version) {

  public FunctionRef {
    name = Validation.canonical(Validation.requireLabel("function name", Objects.requireNonNull(name, "name")));
    version = Validation.canonical(Validation.requireLabel("version", Objects.requireNonNull(version, "version")));
  }

  /** {@code name:version}, the form used in logs. */
  @Override
  public String toString() {
    return name + ":" + version;
  }
}
