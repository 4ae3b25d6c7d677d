package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The child JVM of {@link DurabilityTest}: saves revisions 1..N of the function {@code hello} on an
 * SQLite file and prints {@code acked R} after each save of revision R returned.
 *
 * <p>Revision R keeps the versions {@code v(R-9)..vR} (older ones are dropped), points
 * {@code latest} and the alias {@code current} at {@code vR} and the alias {@code previous} at
 * {@code v(R-1)}: {@link #expected(long)} is the one state a reader may find at revision R.
 */
public final class DurabilityChild {

  static final int KEPT_VERSIONS = 10;

  private DurabilityChild() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long revisions = Long.parseLong(args[1]);
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file)) {
      for (long revision = 1; revision <= revisions; revision++) {
        if (!store.save(expected(revision))) {
          System.err.println("save of revision " + revision + " was refused as stale");
          System.exit(2);
        }
        System.out.println("acked " + revision);
        System.out.flush();
      }
    }
  }

  /** The state of {@code hello} at {@code revision}. */
  static FunctionState expected(long revision) {
    List<FunctionVersion> versions = new ArrayList<>();
    for (long v = Math.max(1, revision - KEPT_VERSIONS + 1); v <= revision; v++) {
      versions.add(new FunctionVersion(FunctionSpec.builder("hello").version("v" + v)
          .code("addEventListener('fetch', e => e.respondWith(new Response('v" + v + "')))")
          .env("VERSION", Long.toString(v)).build(), Fixtures.T0.plusSeconds(v)));
    }
    Map<String, String> aliases = new LinkedHashMap<>();
    aliases.put("current", "v" + revision);
    if (revision > 1) {
      aliases.put("previous", "v" + (revision - 1));
    }
    return new FunctionState("hello", revision, versions, aliases, "v" + revision);
  }
}
