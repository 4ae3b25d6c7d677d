package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.TimeoutListener;
import dev.faas4j.api.VersionStatus.State;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.core.internal.telemetry.Metrics;
import dev.faas4j.core.internal.telemetry.StartCause;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when versions run: starts them on first use (once, however many requests wait),
 * suspends them when idle, restarts them when they crashed, and stops them on request.
 *
 * <p>Thread-safe. Time comes from the injected {@link Clock}, so idle suspension is tested by
 * moving a clock, not by sleeping.
 */
public final class Instances {

  private static final Logger LOG = LoggerFactory.getLogger(Instances.class);
  /** The states versions are counted by, as tag values. */
  private static final List<String> STATE_TAGS = java.util.Arrays.stream(State.values())
      .map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).toList();

  private final ConcurrentHashMap<FunctionRef, Instance> instances = new ConcurrentHashMap<>();
  private final Providers providers;
  private final Clock clock;
  private final Duration startTimeout;
  private final Executor starter;
  private final Metrics metrics;
  private final Autoscaling autoscaling;
  private final IdlePolicy idle;

  /**
   * @param providers where versions registered from the store find their provider
   * @param clock the time source for idleness
   * @param idleTimeout how long a version may go without requests before it is suspended
   * @param startTimeout how long a request waits for a version to start before it gets 503
   * @param starter runs starts, so that a start outlives the request that triggered it
   * @param metrics where starts, states and ready instances are reported
   */
  public Instances(Providers providers, Clock clock, Duration idleTimeout, Duration startTimeout, Executor starter,
      Metrics metrics) {
    this.providers = providers;
    this.clock = clock;
    this.startTimeout = startTimeout;
    this.starter = starter;
    this.metrics = metrics;
    this.autoscaling = new Autoscaling(clock, starter);
    this.idle = new IdlePolicy(clock, idleTimeout);
    metrics.watchInstances(STATE_TAGS, tag -> count(i -> i.state.name().equalsIgnoreCase(tag)));
  }

  /**
   * Makes a version known. {@code deployed} says whether the provider already has it (a fresh
   * deploy) or must be given it before its first start (a version restored from the store).
   */
  public void register(FunctionSpec spec, FunctionProvider provider, boolean deployed) {
    register(spec, provider, deployed, -1);
  }

  /**
   * {@link #register(FunctionSpec, FunctionProvider, boolean)} after a deploy that took {@code
   * deployMillis}: if the provider left the instance it validated running, that counts as a start
   * caused by the deploy, which took that long. A negative {@code deployMillis} counts nothing.
   */
  public void register(FunctionSpec spec, FunctionProvider provider, boolean deployed, long deployMillis) {
    String function = spec.ref().name();
    metrics.watchFunction(function, () -> readyReplicas(function));
    if (spec.scaling().autoscaled()) {
      metrics.watchDesiredReplicas(spec.ref(), () -> autoscaling.desired(spec.ref()));
    }
    Instance instance = instances.compute(spec.ref(), (ref, existing) -> {
      if (existing != null) {
        existing.deployed |= deployed;
        return existing;
      }
      return new Instance(spec, provider, deployed, clock.millis());
    });
    // A provider may leave running the instance it started to validate the deploy: count it as
    // running from now, so that idle suspension stops it like any other.
    if (deployed && instance.adoptRunning(clock.millis()) && deployMillis >= 0) {
      metrics.started(spec.ref(), StartCause.DEPLOY, true, TimeUnit.MILLISECONDS.toNanos(deployMillis));
    }
  }

  /** The versions of one function (canonical name) known here, in no particular order. */
  public List<FunctionRef> registered(String function) {
    List<FunctionRef> refs = new ArrayList<>();
    for (FunctionRef ref : instances.keySet()) {
      if (ref.name().equals(function)) {
        refs.add(ref);
      }
    }
    return refs;
  }

  /** The canonical names of the functions with a version known here. */
  public java.util.Set<String> registeredFunctions() {
    java.util.Set<String> names = new java.util.HashSet<>();
    instances.keySet().forEach(ref -> names.add(ref.name()));
    return names;
  }

  /** The versions running here now, in no particular order. */
  public List<FunctionRef> running() {
    List<FunctionRef> refs = new ArrayList<>();
    instances.values().forEach(instance -> {
      if (instance.state == State.RUNNING) {
        refs.add(instance.ref);
      }
    });
    return refs;
  }

  /** Whether the version is known here. */
  public boolean isRegistered(FunctionRef ref) {
    return instances.containsKey(ref);
  }

  /**
   * Makes a committed version known here if it is not yet (it was restored, or deployed by another
   * gateway sharing the store); the provider serving its runtime is given it before its first start.
   *
   * @throws FaasException INVALID_REQUEST if no provider serves its runtime
   */
  public void registerCommitted(FunctionSpec spec) {
    if (!isRegistered(spec.ref())) {
      register(spec, providers.forRuntime(spec.runtime()), false);
    }
  }

  /**
   * A lease on a ready endpoint of the version, starting it if needed. Close the lease when the
   * request is done; while any lease is open the version is not suspended.
   *
   * @throws FaasException UNAVAILABLE if the version cannot be started in time
   */
  public Lease acquire(FunctionRef ref) {
    Instance instance = instance(ref);
    instance.began(clock.millis());
    try {
      IdlePolicy.thaw(instance);
      LeastOutstanding.Pick pick = instance.pick();
      if (pick == null) {
        Endpoint started = awaitStart(instance, StartCause.FIRST_REQUEST);
        pick = instance.pick();
        pick = pick != null ? pick : new LeastOutstanding.Pick(started, null);
      }
      instance.lastUsedMillis = clock.millis();
      return new Lease(instance, pick, clock);
    } catch (RuntimeException | Error e) {
      instance.ended(clock.millis());
      throw e;
    }
  }

  /**
   * A lease on a ready endpoint of the version if it is running now, or null: never starts it, never
   * waits. Close the lease when the request is done.
   */
  public Lease tryAcquire(FunctionRef ref) {
    Instance instance = instances.get(ref);
    if (instance == null) {
      return null;
    }
    instance.began(clock.millis());
    LeastOutstanding.Pick pick = instance.pick();
    if (pick == null) {
      instance.ended(clock.millis());
      return null;
    }
    instance.lastUsedMillis = clock.millis();
    return new Lease(instance, pick, clock);
  }

  /**
   * Tells the version's provider, if it has the {@link TimeoutListener} capability, that a request
   * to the version timed out; without it nothing happens. Never throws.
   */
  public void requestTimedOut(FunctionRef ref) {
    Instance instance = instances.get(ref);
    if (instance == null) {
      return;
    }
    try {
      instance.provider.capability(TimeoutListener.class).ifPresent(listener -> listener.requestTimedOut(ref));
    } catch (RuntimeException e) {
      LOG.warn("provider {} failed to handle a timeout of {}: {}", instance.provider.name(), ref, e.toString());
    }
  }

  /** Starts a version (if it is not running) and waits until it is ready. */
  public void start(FunctionRef ref) {
    Instance instance = instance(ref);
    IdlePolicy.thaw(instance);
    if (instance.readyEndpoint().isEmpty()) {
      awaitStart(instance, StartCause.DEPLOY);
    }
    instance.lastUsedMillis = clock.millis();
  }

  private Endpoint awaitStart(Instance instance, StartCause requested) {
    CompletableFuture<Endpoint> start = instance.startOnce(this::launch, requested);
    try {
      return start.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, instance.ref + " did not become ready within "
          + startTimeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "interrupted while waiting for " + instance.ref + " to start");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof FaasException fe && fe.reason() != FaasException.Reason.NOT_FOUND) {
        throw new FaasException(fe.reason() == FaasException.Reason.INVALID_FUNCTION
            ? FaasException.Reason.INVALID_FUNCTION : FaasException.Reason.UNAVAILABLE,
            instance.ref + " could not be started: " + fe.getMessage(), fe);
      }
      throw new FaasException(FaasException.Reason.UNAVAILABLE,
          instance.ref + " could not be started: " + (cause.getMessage() != null ? cause.getMessage()
              : cause instanceof InterruptedException ? "the start was interrupted (faas4j is shutting down?)"
              : cause.getClass().getSimpleName()), cause);
    }
  }

  private CompletableFuture<Endpoint> launch(Instance instance, StartCause cause) {
    CompletableFuture<Endpoint> future = new CompletableFuture<>();
    starter.execute(() -> {
      long begun = clock.millis();
      try {
        LOG.debug("starting {} ({})", instance.ref, cause.tag());
        Endpoint endpoint = instance.start();
        metrics.started(instance.ref, cause, true, TimeUnit.MILLISECONDS.toNanos(clock.millis() - begun));
        future.complete(endpoint);
        LOG.info("started {} on {} ({})", instance.ref, instance.provider.name(), cause.tag());
      } catch (Throwable t) {
        metrics.started(instance.ref, cause, false, TimeUnit.MILLISECONDS.toNanos(clock.millis() - begun));
        LOG.warn("could not start {}: {}", instance.ref, t.getMessage());
        future.completeExceptionally(t);
      }
    });
    return future;
  }

  /**
   * Applies the {@link IdlePolicy}: freezes (or, without the provider's capability, suspends)
   * every running version that has had no request for the idle timeout, except those {@code
   * keepWarm} accepts, and suspends frozen versions past the frozen timeout or over the memory
   * budget. Returns the versions it froze or suspended.
   */
  public List<FunctionRef> suspendIdle(Predicate<FunctionRef> keepWarm) {
    return idle.apply(instances.values(), keepWarm);
  }

  /** Sets the frozen tier's timeout (zero: no frozen tier) and memory budget (defaults: {@link IdlePolicy}). */
  public void frozenTier(Duration frozenTimeout, long memoryBudgetBytes) {
    idle.frozenTier(frozenTimeout, memoryBudgetBytes);
  }

  /**
   * Finds running versions whose instance vanished (a crashed process), marks them stopped so the
   * next request restarts them, and restarts at once those {@code keepWarm} accepts.
   */
  public List<FunctionRef> recoverCrashed(Predicate<FunctionRef> keepWarm) {
    List<FunctionRef> crashed = new ArrayList<>();
    for (Instance instance : instances.values()) {
      if (instance.state == State.RUNNING && instance.markCrashedIfGone()) {
        LOG.warn("{} exited on its own", instance.ref);
        crashed.add(instance.ref);
        if (keepWarm.test(instance.ref)) {
          instance.startOnce(this::launch, StartCause.CRASH_RESTART);
        }
      }
    }
    return crashed;
  }

  /** Stops a version's instances; the next request starts it again. */
  public void stop(FunctionRef ref) {
    Instance instance = instances.get(ref);
    if (instance != null) {
      try {
        instance.stop(State.STOPPED);
      } catch (Exception e) {
        throw providerFailure("stop", ref, e);
      }
    }
  }

  /** Stops a version and removes everything its provider keeps for it. */
  public void remove(FunctionRef ref) {
    Instance instance = instances.remove(ref);
    if (instance != null) {
      forgetMeters(ref);
      try {
        instance.stop(State.STOPPED);
        instance.provider.undeploy(ref);
      } catch (Exception e) {
        throw providerFailure("remove", ref, e);
      }
    }
  }

  /** Forgets a version that was never committed, undeploying it from its provider. */
  public void discard(FunctionSpec spec, FunctionProvider provider) {
    if (instances.remove(spec.ref()) != null) {
      forgetMeters(spec.ref());
    }
    try {
      provider.undeploy(spec.ref());
    } catch (Exception e) {
      LOG.warn("could not undeploy {} after a failed deploy: {}", spec.ref(), e.getMessage());
    }
  }

  /** The state this JVM knows for a version, with the provider's detail for failures. */
  public VersionStatus status(FunctionRef ref) {
    Instance instance = instances.get(ref);
    if (instance == null) {
      return VersionStatus.stopped(ref);
    }
    State state = instance.state;
    VersionStatus fromProvider = instance.deployed ? instance.provider.status(ref) : VersionStatus.stopped(ref);
    String detail = state == State.FAILED
        ? (fromProvider.detail().isEmpty() ? instance.lastError : fromProvider.detail())
        : fromProvider.detail();
    return new VersionStatus(ref, state, fromProvider.replicas(), fromProvider.readyReplicas(), detail);
  }

  /** How many requests are being served by the version right now. */
  public int activeRequests(FunctionRef ref) {
    Instance instance = instances.get(ref);
    return instance == null ? 0 : instance.inFlight.get();
  }

  /** Drops a removed version's meters, and its function's once no version of it is left. */
  private void forgetMeters(FunctionRef ref) {
    metrics.versionRemoved(ref);
    if (registered(ref.name()).isEmpty()) {
      metrics.functionRemoved(ref.name());
    }
  }

  /** The ready replicas of every running version of {@code function}. */
  private int readyReplicas(String function) {
    int ready = 0;
    for (Instance instance : instances.values()) {
      if (instance.state == State.RUNNING && instance.ref.name().equals(function)) {
        ready += instance.provider.endpoints(instance.ref).size();
      }
    }
    return ready;
  }

  /**
   * One autoscaling pass: every running version whose scaling allows several replicas is scaled
   * to what its concurrency asks for (see {@link Autoscaler}); the scaling itself runs on the
   * starter, so this returns at once.
   */
  public void autoscale() {
    autoscaling.pass(instances.values());
  }

  /** Whether the version keeps replicas running when idle ({@code scaling.min > 0}): never suspended. */
  public boolean keepsReplicas(FunctionRef ref) {
    Instance instance = instances.get(ref);
    return instance != null && instance.spec.scaling().min() > 0;
  }

  /** How many versions known here {@code which} accepts. */
  private int count(java.util.function.Predicate<Instance> which) {
    int count = 0;
    for (Instance instance : instances.values()) {
      count += which.test(instance) ? 1 : 0;
    }
    return count;
  }

  private Instance instance(FunctionRef ref) {
    Instance instance = instances.get(ref);
    if (instance == null) {
      throw FaasException.notFound("version " + ref + " is not deployed");
    }
    return instance;
  }

  private static FaasException providerFailure(String what, FunctionRef ref, Exception e) {
    if (e instanceof FaasException fe) {
      return fe;
    }
    return new FaasException(FaasException.Reason.INTERNAL, "could not " + what + " " + ref + ": " + e.getMessage(), e);
  }
}
