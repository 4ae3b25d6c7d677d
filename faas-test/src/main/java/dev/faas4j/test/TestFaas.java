package dev.faas4j.test;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasBuilder;
import dev.faas4j.core.testing.InMemoryProvider;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One test's {@link Faas} and what to release with it. Closing it closes the {@code Faas} (which
 * stops its instances and closes its providers and store), then runs {@code afterClose}, which
 * throws {@link AssertionError} when something outlived the test.
 */
final class TestFaas implements AutoCloseable {

  private final Faas faas;
  private final InMemoryProvider inMemory;
  private final AfterClose afterClose;

  /** Checks and clean-up after the {@code Faas} was closed. */
  @FunctionalInterface
  interface AfterClose {
    void run() throws Exception;
  }

  TestFaas(Faas faas, InMemoryProvider inMemory, AfterClose afterClose) {
    this.faas = faas;
    this.inMemory = inMemory;
    this.afterClose = afterClose;
  }

  static TestFaas inMemory(Map<String, FunctionHandler> handlers, List<Consumer<FaasBuilder>> settings) {
    InMemoryProvider provider = new InMemoryProvider();
    handlers.forEach(provider::handler);
    return new TestFaas(build(provider, settings), provider, () -> { });
  }

  /** A {@code Faas} on {@code provider} with the extension's settings; closes the provider if that fails. */
  static Faas build(FunctionProvider provider, List<Consumer<FaasBuilder>> settings) {
    try {
      FaasBuilder builder = Faas.builder().provider(provider);
      settings.forEach(each -> each.accept(builder));
      return builder.build();
    } catch (RuntimeException | Error e) {
      try {
        provider.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  Faas faas() {
    return faas;
  }

  /** The in-memory provider, or null for workerd. */
  InMemoryProvider inMemory() {
    return inMemory;
  }

  @Override
  public void close() throws Exception {
    faas.close();
    afterClose.run();
  }
}
