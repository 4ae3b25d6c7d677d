package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus.State;
import dev.faas4j.core.internal.telemetry.StartCause;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The lifecycle of one version in this JVM: a small state machine with one owner (this object).
 *
 * <p>Requests {@link Instances#acquire acquire} a lease: the fast path reads the state and asks the
 * provider for an endpoint, with no lock. Everything that changes the state (start, suspend, stop)
 * holds this object's monitor, and a start runs once as a future that every waiting request
 * shares. {@link #inFlight} counts leased requests; suspension never happens while it is above
 * zero (the suspender sets the state first and reads the counter second, a request increments the
 * counter first and reads the state second, so one of them always sees the other).
 */
final class Instance {

  final FunctionRef ref;
  final FunctionSpec spec;
  final FunctionProvider provider;

  /** Whether {@link FunctionProvider#deploy} was called for this version in this JVM. */
  volatile boolean deployed;
  volatile State state = State.STOPPED;
  volatile long lastUsedMillis;
  volatile String lastError = "";
  final AtomicInteger inFlight = new AtomicInteger();
  /** The same requests, averaged over time, for the autoscaler. */
  final ConcurrencyMeter load;
  /** Which replica each request goes to. */
  final LeastOutstanding spread = new LeastOutstanding();

  /** The start in progress, shared by every request waiting for it; guarded by {@code this}. */
  private CompletableFuture<Endpoint> starting;
  /** Whether the instance exited on its own since it last started; guarded by {@code this}. */
  private boolean crashed;

  Instance(FunctionSpec spec, FunctionProvider provider, boolean deployed, long nowMillis) {
    this.ref = spec.ref();
    this.spec = spec;
    this.provider = provider;
    this.deployed = deployed;
    this.lastUsedMillis = nowMillis;
    this.load = new ConcurrencyMeter(nowMillis);
  }

  /** A request leased the version at {@code nowMillis}. */
  void began(long nowMillis) {
    inFlight.incrementAndGet();
    load.changed(+1, nowMillis);
  }

  /** A request's lease ended at {@code nowMillis}. */
  void ended(long nowMillis) {
    inFlight.decrementAndGet();
    load.changed(-1, nowMillis);
  }

  /** The ready replica with the fewest outstanding requests, counted until released; null if none is ready. */
  LeastOutstanding.Pick pick() {
    return state == State.RUNNING ? spread.pick(provider.endpoints(ref)) : null;
  }

  /**
   * Sets the number of replicas of a running instance (the autoscaler's decision); returns false,
   * doing nothing, when it is not running (suspended, stopped, starting).
   */
  synchronized boolean rescale(int replicas) throws Exception {
    if (state != State.RUNNING) {
      return false;
    }
    provider.scale(ref, replicas);
    return true;
  }

  /** A ready endpoint if the instance is running and the provider still has it, else empty. */
  Optional<Endpoint> readyEndpoint() {
    return state == State.RUNNING ? provider.endpoint(ref) : Optional.empty();
  }

  /**
   * Returns the start in progress, or begins one with {@code launcher}, for {@code requested}: the
   * cause it is counted under, unless the instance was suspended (a resume) or crashed (a restart).
   */
  synchronized CompletableFuture<Endpoint> startOnce(
      BiFunction<Instance, StartCause, CompletableFuture<Endpoint>> launcher, StartCause requested) {
    if (starting == null) {
      StartCause cause = crashed ? StartCause.CRASH_RESTART : state == State.SUSPENDED ? StartCause.RESUME : requested;
      crashed = false;
      state = State.STARTING;
      starting = launcher.apply(this, cause);
    }
    return starting;
  }

  /** Runs on the starter thread: deploys if needed, scales to one, and records the outcome. */
  Endpoint start() throws Exception {
    try {
      if (!deployed) {
        provider.deploy(spec);
        deployed = true;
      }
      provider.scale(ref, 1);
      Endpoint endpoint = provider.endpoint(ref).orElseThrow(() -> new FaasException(
          FaasException.Reason.UNAVAILABLE, provider.name() + " reported " + ref + " started but has no ready endpoint"));
      synchronized (this) {
        state = State.RUNNING;
        lastError = "";
        starting = null;
      }
      return endpoint;
    } catch (Exception | Error e) {
      synchronized (this) {
        state = State.FAILED;
        lastError = String.valueOf(e.getMessage());
        starting = null;
      }
      throw e;
    }
  }

  /**
   * Scales to zero if the instance is running, idle since {@code idleBeforeMillis} and serving no
   * request. Returns whether it did.
   */
  synchronized boolean suspendIfIdle(long idleBeforeMillis) throws Exception {
    if (state != State.RUNNING || lastUsedMillis > idleBeforeMillis) {
      return false;
    }
    state = State.SUSPENDED;
    if (inFlight.get() > 0) {
      state = State.RUNNING;
      return false;
    }
    provider.scale(ref, 0);
    return true;
  }

  /** Scales to zero whatever the state, waiting for a start in progress to finish first. */
  void stop(State finalState) throws Exception {
    CompletableFuture<Endpoint> pending;
    synchronized (this) {
      pending = starting;
    }
    if (pending != null) {
      try {
        pending.join();
      } catch (RuntimeException ignored) {
        // the start failed; stopping is still what was asked for
      }
    }
    synchronized (this) {
      if (deployed) {
        provider.scale(ref, 0);
      }
      state = finalState;
    }
  }

  /**
   * Takes over an instance the provider already runs (e.g. one started to validate a deploy);
   * returns whether it did.
   */
  synchronized boolean adoptRunning(long nowMillis) {
    if (state == State.STOPPED && !provider.endpoints(ref).isEmpty()) {
      state = State.RUNNING;
      lastUsedMillis = nowMillis;
      return true;
    }
    return false;
  }

  /** Marks a running instance whose process vanished as stopped, so the next request restarts it. */
  synchronized boolean markCrashedIfGone() {
    if (state == State.RUNNING && provider.endpoints(ref).isEmpty()) {
      state = State.STOPPED;
      lastError = "the instance exited on its own";
      crashed = true;
      return true;
    }
    return false;
  }
}
