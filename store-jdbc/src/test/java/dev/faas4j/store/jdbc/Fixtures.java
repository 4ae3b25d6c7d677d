package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Small builders of states for the store's own tests. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

  private Fixtures() {}

  static FunctionVersion version(String name, String version, String code) {
    return new FunctionVersion(FunctionSpec.builder(name).version(version).code(code).build(), T0);
  }

  static FunctionState state(String name, long revision, String latest, Map<String, String> aliases,
      FunctionVersion... versions) {
    return new FunctionState(name, revision, List.of(versions), aliases, latest);
  }
}
