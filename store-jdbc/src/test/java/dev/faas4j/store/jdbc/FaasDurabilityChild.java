package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.testing.InMemoryProvider;
import java.nio.file.Path;

/**
 * The child JVM of {@link FaasDurabilityTest}: deploys versions {@code v1..vN} of {@code hello}
 * through faas-core on an SQLite file, every fifth one with the alias {@code a<n>}, and prints
 * {@code acked N} when the deploy of {@code vN} returned.
 */
public final class FaasDurabilityChild {

  private FaasDurabilityChild() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int versions = Integer.parseInt(args[1]);
    try (Faas faas = FaasOverHttp.faas(JdbcFunctionStore.sqlite(file))) {
      for (int n = 1; n <= versions; n++) {
        faas.deploy(spec(n), alias(n));
        System.out.println("acked " + n);
        System.out.flush();
      }
    }
  }

  static FunctionSpec spec(int n) {
    return FunctionSpec.builder("hello").version("v" + n).runtime(InMemoryProvider.RUNTIME).code("body of v" + n).build();
  }

  static String alias(int n) {
    return n % 5 == 0 ? "a" + n : null;
  }
}
