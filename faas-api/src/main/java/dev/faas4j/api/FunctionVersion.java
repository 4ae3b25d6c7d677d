package dev.faas4j.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A deployed version: its definition and when it was deployed.
 *
 * @param spec the version's definition
 * @param createdAt when the version was first deployed
 */
public record FunctionVersion(FunctionSpec spec, Instant createdAt) {

  public FunctionVersion {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** The version's canonical name. */
  public String version() {
    return spec.version();
  }
}
