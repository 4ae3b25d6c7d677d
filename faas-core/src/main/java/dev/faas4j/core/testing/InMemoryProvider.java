package dev.faas4j.core.testing;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.Freezing;
import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.EnvUpdates;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A {@link FunctionProvider} whose functions are Java {@link FunctionHandler}s running in this
 * JVM, for unit tests. Runtime {@code "java"}.
 *
 * <p>By default a version's {@code code} names a handler registered with {@link #handler}:
 * <pre>{@code
 * InMemoryProvider provider = new InMemoryProvider()
 *     .handler("greet", request -> FunctionResponse.ok("hello"));
 * faas.deploy(FunctionSpec.builder("hello").runtime("java").version("v1").code("greet").build(), null);
 * }</pre>
 * or give a factory that builds a handler from the whole spec (to see env vars, for example).
 *
 * <p>It counts starts per version ({@link #starts}) so tests can check that concurrent requests
 * caused one start, and can make a version fail to start ({@link #failStarts}) or "crash"
 * ({@link #crash}). New env values ({@link EnvUpdates}, rotated secrets) replace a running
 * version's handler at once. With {@link #freezing(long)} it also has the {@link Freezing}
 * capability, so idle versions are frozen before they are terminated. Thread-safe.
 */
public final class InMemoryProvider implements FunctionProvider, EnvUpdates {

  /** The runtime this provider serves. */
  public static final String RUNTIME = "java";

  private final Map<String, FunctionHandler> handlers = new ConcurrentHashMap<>();
  private final Map<FunctionRef, FunctionSpec> deployed = new ConcurrentHashMap<>();
  private final Map<FunctionRef, Endpoint> running = new ConcurrentHashMap<>();
  private final Map<FunctionRef, AtomicInteger> starts = new ConcurrentHashMap<>();
  private final Map<FunctionRef, String> failing = new ConcurrentHashMap<>();
  private final Function<FunctionSpec, FunctionHandler> factory;
  private volatile java.util.concurrent.CountDownLatch startGate;
  private volatile boolean startOnDeploy;
  private final AtomicInteger held = new AtomicInteger();
  private final Set<String> runtimes;
  private volatile InMemoryFreezing freezing;

  /** A provider whose versions' code names a handler registered with {@link #handler}. */
  public InMemoryProvider() {
    this.factory = null;
    this.runtimes = Set.of(RUNTIME);
  }

  /**
   * A provider that makes each version's handler from its spec, serving the given runtimes
   * (e.g. {@code "js"} to stand in for workerd in a test of code that deploys JavaScript).
   */
  public InMemoryProvider(Function<FunctionSpec, FunctionHandler> factory, String... runtimes) {
    this.factory = factory;
    this.runtimes = runtimes.length == 0 ? Set.of(RUNTIME) : Set.of(runtimes);
  }

  /** Registers a handler under a name that versions' {@code code} can refer to. Returns this. */
  public InMemoryProvider handler(String name, FunctionHandler handler) {
    handlers.put(name, handler);
    return this;
  }

  /** How many times a version was started. */
  public int starts(FunctionRef ref) {
    AtomicInteger count = starts.get(ref);
    return count == null ? 0 : count.get();
  }

  /** Whether a version has a running instance. */
  public boolean isRunning(FunctionRef ref) {
    return running.containsKey(ref);
  }

  /** Makes every following start of the version fail with {@code message}; null heals it. */
  public void failStarts(FunctionRef ref, String message) {
    if (message == null) {
      failing.remove(ref);
    } else {
      failing.put(ref, message);
    }
  }

  /**
   * Makes every start wait until {@link #releaseStarts()}, so a test can pile requests up on a
   * version that is starting.
   */
  public void holdStarts() {
    startGate = new java.util.concurrent.CountDownLatch(1);
  }

  /** How many starts are waiting at the gate of {@link #holdStarts()} right now. */
  public int heldStarts() {
    return held.get();
  }

  /** Lets held and later starts proceed. */
  public void releaseStarts() {
    java.util.concurrent.CountDownLatch gate = startGate;
    startGate = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  /**
   * Whether {@link #deploy} also starts an instance and leaves it running, as providers that
   * validate code by starting it (workerd) do. Default false.
   */
  public void startOnDeploy(boolean start) {
    startOnDeploy = start;
  }

  /** Makes a running instance vanish, as a crashed process would. */
  public void crash(FunctionRef ref) {
    running.remove(ref);
    InMemoryFreezing freezer = freezing;
    if (freezer != null) {
      freezer.stopped(ref);
    }
  }

  /**
   * Gives this provider the {@link Freezing} capability: a frozen instance holds {@code
   * bytesPerInstance} bytes of memory, and its handler fails if it is called before it is thawed.
   * Call it before the first start. Returns this.
   */
  public InMemoryProvider freezing(long bytesPerInstance) {
    freezing = new InMemoryFreezing(running::containsKey, bytesPerInstance);
    return this;
  }

  /** Whether the version's instance is frozen now (false without {@link #freezing(long)}). */
  public boolean isFrozen(FunctionRef ref) {
    InMemoryFreezing freezer = freezing;
    return freezer != null && freezer.isFrozen(ref);
  }

  @Override
  public <T> Optional<T> capability(Class<T> type) {
    InMemoryFreezing freezer = freezing;
    if (type == Freezing.class && freezer != null) {
      return Optional.of(type.cast(freezer));
    }
    return FunctionProvider.super.capability(type);
  }

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public Set<String> runtimes() {
    return runtimes;
  }

  @Override
  public void deploy(FunctionSpec spec) throws InterruptedException {
    handlerFor(spec);
    deployed.put(spec.ref(), spec);
    if (startOnDeploy) {
      scale(spec.ref(), 1);
    }
  }

  private FunctionHandler handlerFor(FunctionSpec spec) {
    if (factory != null) {
      return factory.apply(spec);
    }
    FunctionHandler handler = spec.code() == null ? null : handlers.get(spec.code());
    if (handler == null) {
      throw new FaasException(FaasException.Reason.INVALID_FUNCTION, "no handler named '" + spec.code()
          + "' is registered; register it with InMemoryProvider.handler(name, handler)");
    }
    return handler;
  }

  @Override
  public void scale(FunctionRef ref, int replicas) throws InterruptedException {
    FunctionSpec spec = deployed.get(ref);
    if (spec == null) {
      throw FaasException.notFound(ref + " is not deployed");
    }
    if (replicas == 0) {
      crash(ref);
      return;
    }
    if (running.containsKey(ref)) {
      InMemoryFreezing freezer = freezing;
      if (freezer != null) {
        freezer.thaw(ref); // a frozen instance is not ready to serve
      }
      return;
    }
    java.util.concurrent.CountDownLatch gate = startGate;
    if (gate != null) {
      held.incrementAndGet();
      try {
        gate.await();
      } finally {
        held.decrementAndGet();
      }
    }
    String failure = failing.get(ref);
    starts.computeIfAbsent(ref, r -> new AtomicInteger()).incrementAndGet();
    if (failure != null) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, failure);
    }
    running.put(ref, new Endpoint.InProcess(guarded(ref, handlerFor(spec))));
  }

  private FunctionHandler guarded(FunctionRef ref, FunctionHandler handler) {
    InMemoryFreezing freezer = freezing;
    return freezer == null ? handler : freezer.guard(ref, handler);
  }

  /** Replaces the version's spec; a running instance gets a handler made from the new one. */
  @Override
  public void updateEnv(FunctionSpec spec) {
    FunctionRef ref = spec.ref();
    if (deployed.replace(ref, spec) == null) {
      throw FaasException.notFound(ref + " is not deployed");
    }
    running.computeIfPresent(ref, (r, old) -> new Endpoint.InProcess(guarded(ref, handlerFor(spec))));
  }

  @Override
  public void undeploy(FunctionRef ref) {
    crash(ref);
    deployed.remove(ref);
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    if (isFrozen(ref)) {
      return new VersionStatus(ref, VersionStatus.State.FROZEN, 1, 1, "");
    }
    if (running.containsKey(ref)) {
      return new VersionStatus(ref, VersionStatus.State.RUNNING, 1, 1, "");
    }
    String failure = failing.get(ref);
    if (failure != null && deployed.containsKey(ref)) {
      return new VersionStatus(ref, VersionStatus.State.FAILED, 1, 0, failure);
    }
    return VersionStatus.stopped(ref);
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    return Optional.ofNullable(running.get(ref));
  }

  @Override
  public void close() {
    running.clear();
  }
}
