package dev.faas4j.bench;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Fills a gateway's SQLite store with many one-version functions ({@code f0} … {@code fN-1}), the
 * way a gateway that had deployed them would have left it, so that the restore benchmark need not
 * start thousands of workerd processes first.
 *
 * <p>Usage: {@code java -cp faas-bench.jar dev.faas4j.bench.SeedStore DATA_DIR COUNT}; writes
 * {@code DATA_DIR/faas.db}. Exits 2 on bad arguments.
 */
public final class SeedStore {

  private SeedStore() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SeedStore DATA_DIR COUNT  (writes DATA_DIR/faas.db with functions f0..f{COUNT-1})");
      System.exit(2);
    }
    Path dataDir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    Files.createDirectories(dataDir);
    long started = System.nanoTime();
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(dataDir.resolve("faas.db"))) {
      for (int i = 0; i < count; i++) {
        String name = "f" + i;
        FunctionSpec spec = FunctionSpec.builder(name)
            .version("v1")
            .runtime("js")
            .code("addEventListener(\"fetch\", e => e.respondWith(new Response(\"hello from " + name + "\")))")
            .build();
        FunctionState state = new FunctionState(name, 1, List.of(new FunctionVersion(spec, Instant.now())), Map.of(), "v1");
        if (!store.save(state)) {
          throw new IllegalStateException("the store refused " + name + ": is " + dataDir + " not empty?");
        }
      }
    }
    System.out.printf("seeded %d functions in %d ms%n", count, (System.nanoTime() - started) / 1_000_000);
  }
}
