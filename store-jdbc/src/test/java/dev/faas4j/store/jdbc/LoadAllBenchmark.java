package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A rough measurement, not a test: how long {@code loadAll()} takes for N functions of two
 * versions each (1 KiB of code per version) on a temporary SQLite file. Run with
 * {@code java -cp <test classpath> dev.faas4j.store.jdbc.LoadAllBenchmark [N]}.
 */
public final class LoadAllBenchmark {

  private LoadAllBenchmark() {}

  public static void main(String[] args) throws Exception {
    int functions = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path dir = Files.createTempDirectory("faas4j-bench");
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(dir.resolve("bench.db"))) {
      String code = "// " + "x".repeat(1021);
      long startSave = System.nanoTime();
      for (int i = 0; i < functions; i++) {
        String name = "fn-" + i;
        List<FunctionVersion> versions = List.of(
            new FunctionVersion(FunctionSpec.builder(name).version("v1").code(code).env("A", "1").build(), Fixtures.T0),
            new FunctionVersion(FunctionSpec.builder(name).version("v2").code(code).env("A", "2").build(), Fixtures.T0));
        store.save(new FunctionState(name, 1, versions, Map.of("prod", "v1"), "v2"));
      }
      System.out.printf("saved %d functions in %d ms%n", functions, (System.nanoTime() - startSave) / 1_000_000);
      for (int round = 0; round < 5; round++) {
        long start = System.nanoTime();
        int loaded = store.loadAll().size();
        System.out.printf("loadAll: %d functions in %d ms%n", loaded, (System.nanoTime() - start) / 1_000_000);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
