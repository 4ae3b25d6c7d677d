package dev.faas4j.test;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasBuilder;
import dev.faas4j.core.testing.InMemoryProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test method a fresh {@link Faas} and closes it after the
 * test, with every process and temporary directory it made.
 *
 * <p>Two backends:
 *
 * <ul>
 *   <li>{@link #inMemory()} (the default): an {@link InMemoryProvider} whose functions are Java
 *       {@link FunctionHandler}s (runtime {@code java}, a version's code names a handler), and the
 *       in-memory store. No process, no file, no port.
 *   <li>{@link #workerd()}: the real workerd runtime (runtime {@code js}) in a temporary data
 *       directory, and the in-memory store. Needs {@code provider-workerd} on the test classpath.
 *       After the test, the extension fails it if a workerd process of that directory is still
 *       running (it is killed first), and deletes the directory.
 * </ul>
 *
 * <p>Use it either way JUnit offers:
 *
 * <pre>{@code
 * @ExtendWith(FaasExtension.class)          // in-memory; a Faas (and the InMemoryProvider) as parameters
 * class CheckoutTest {
 *   @Test
 *   void discountsAreApplied(Faas faas, InMemoryProvider functions) { ... }
 * }
 *
 * class GreeterTest {
 *   @RegisterExtension
 *   static final FaasExtension FAAS = FaasExtension.inMemory()
 *       .handler("greet", request -> FunctionResponse.ok("hi"))
 *       .configure(builder -> builder.mountPath("/fn"));
 *
 *   @Test
 *   void greets() {
 *     FAAS.faas().deploy(FunctionSpec.builder("hello").runtime("java").code("greet").build(), null);
 *     assertEquals("hi", FAAS.faas().invoke("hello", null, FunctionRequest.get("/")).bodyAsString());
 *   }
 * }
 * }</pre>
 *
 * <p>A static field and an instance field both work: the {@code Faas} is made before each test
 * and closed after it either way, so no state passes from one test to the next. Parameters of type
 * {@link Faas} and (in memory) {@link InMemoryProvider} are resolved in test methods and in
 * {@code @BeforeEach}/{@code @AfterEach} methods. Parameter injection also works when test methods
 * of one class run concurrently; {@link #faas()} then names no single test and is refused.
 *
 * <p>Configure it before the first test; its settings do not change afterwards.
 */
public final class FaasExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FaasExtension.class);

  private final boolean workerd;
  private final Map<String, FunctionHandler> handlers = new LinkedHashMap<>();
  private final List<Consumer<FaasBuilder>> settings = new ArrayList<>();
  private final List<TestFaas> running = new ArrayList<>();

  /** An in-memory extension, for {@code @ExtendWith(FaasExtension.class)}; same as {@link #inMemory()}. */
  public FaasExtension() {
    this(false);
  }

  private FaasExtension(boolean workerd) {
    this.workerd = workerd;
  }

  /** Each test gets a {@link Faas} on an {@link InMemoryProvider} (runtime {@code java}) and an in-memory store. */
  public static FaasExtension inMemory() {
    return new FaasExtension(false);
  }

  /**
   * Each test gets a {@link Faas} on the real workerd runtime (runtime {@code js}), in a temporary
   * directory, with an in-memory store. The workerd binary is found as {@code WorkerdProvider}
   * finds it; when it is missing, the test fails with the provider's message.
   */
  public static FaasExtension workerd() {
    return new FaasExtension(true);
  }

  /**
   * Registers a Java function with the in-memory provider of every test: a version whose code is
   * {@code name} (runtime {@code java}) runs {@code handler}.
   *
   * @return this
   * @throws IllegalStateException on a {@link #workerd()} extension
   */
  public FaasExtension handler(String name, FunctionHandler handler) {
    if (workerd) {
      throw new IllegalStateException("handlers are Java functions of the in-memory provider; a workerd extension"
          + " runs JavaScript: deploy code instead");
    }
    handlers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(handler, "handler"));
    return this;
  }

  /**
   * Adds settings to the builder of every test's {@link Faas}, after its provider is set: domain,
   * mount path, timeouts, another provider, a store of your own, a clock.
   *
   * @return this
   */
  public FaasExtension configure(Consumer<FaasBuilder> builderSettings) {
    settings.add(Objects.requireNonNull(builderSettings, "builderSettings"));
    return this;
  }

  /**
   * The {@link Faas} of the test that is running.
   *
   * @throws IllegalStateException outside a test, or while several tests of this extension run at once
   */
  public Faas faas() {
    return current().faas();
  }

  /**
   * The in-memory provider of the test that is running, to register handlers or make a version
   * fail to start.
   *
   * @throws IllegalStateException on a {@link #workerd()} extension, or as {@link #faas()}
   */
  public InMemoryProvider provider() {
    InMemoryProvider provider = current().inMemory();
    if (provider == null) {
      throw new IllegalStateException("a workerd extension has no in-memory provider");
    }
    return provider;
  }

  private TestFaas current() {
    synchronized (running) {
      if (running.size() != 1) {
        throw new IllegalStateException(running.isEmpty()
            ? "no test is running: faas() is for test methods and @BeforeEach/@AfterEach methods"
            : running.size() + " tests run at once: take the Faas as a test method parameter instead");
      }
      return running.get(0);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    TestFaas testFaas = workerd ? WorkerdBackend.start(settings) : TestFaas.inMemory(handlers, settings);
    context.getStore(NAMESPACE).put(TestFaas.class, testFaas);
    synchronized (running) {
      running.add(testFaas);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    TestFaas testFaas = context.getStore(NAMESPACE).remove(TestFaas.class, TestFaas.class);
    if (testFaas == null) {
      return;
    }
    synchronized (running) {
      running.remove(testFaas);
    }
    testFaas.close(); // fails the test if something outlived it
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Faas.class || (type == InMemoryProvider.class && !workerd);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestFaas testFaas = context.getStore(NAMESPACE).get(TestFaas.class, TestFaas.class);
    if (testFaas == null) {
      throw new ParameterResolutionException("FaasExtension gives a Faas to test methods and @BeforeEach/@AfterEach"
          + " methods only, not to constructors or @BeforeAll methods");
    }
    return parameter.getParameter().getType() == Faas.class ? testFaas.faas() : testFaas.inMemory();
  }
}
