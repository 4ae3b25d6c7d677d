package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Concurrency limits on function requests: each version's {@code limits.maxConcurrency}, and a cap
 * on the requests in flight on this node for all functions together, which protects the JVM. A
 * request first passes the global gate, then its version's. Beyond a limit it waits in that gate's
 * line (at most {@code maxQueued} requests, served in arrival order) for up to {@code queueTimeout},
 * and is then refused with {@link Overloaded} (429 with {@code Retry-After}).
 *
 * <p>Thread-safe.
 */
public final class Admission {

  /** What a refused client is told to wait before it tries again, in seconds. */
  public static final int RETRY_AFTER_SECONDS = 1;

  private final ConcurrencyGate global;
  private final int maxQueued;
  private final Duration queueTimeout;
  private final ConcurrentHashMap<FunctionRef, ConcurrencyGate> versions = new ConcurrentHashMap<>();

  /**
   * @param maxInFlight the most function requests in flight at once on this node, at least 1
   * @param maxQueued the most requests waiting in each gate's line, 0 or more
   * @param queueTimeout how long a request may wait in a line
   */
  public Admission(int maxInFlight, int maxQueued, Duration queueTimeout) {
    this.global = new ConcurrencyGate(maxInFlight, maxQueued);
    this.maxQueued = maxQueued;
    this.queueTimeout = queueTimeout;
  }

  /** A place granted to one request; close it once, when the request is over. */
  @FunctionalInterface
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /** A permit if both gates have a free place and nobody waits, else null; never waits. */
  public Permit tryEnter(FunctionSpec spec) {
    if (!global.tryEnter()) {
      return null;
    }
    ConcurrencyGate version = gate(spec);
    if (version == null) {
      return global::leave;
    }
    if (!version.tryEnter()) {
      global.leave();
      return null;
    }
    return both(version);
  }

  /**
   * A permit, waiting in line where a gate is full.
   *
   * @throws Overloaded if a line is full or the wait timed out
   * @throws FaasException UNAVAILABLE if the thread was interrupted while it waited
   */
  public Permit enter(FunctionSpec spec) {
    pass(global, "this node already serves its limit of " + global.max() + " function requests at once");
    ConcurrencyGate version = gate(spec);
    if (version == null) {
      return global::leave;
    }
    try {
      pass(version, spec.ref() + " already serves its max_concurrency of " + version.max() + " requests at once");
    } catch (RuntimeException e) {
      global.leave();
      throw e;
    }
    return both(version);
  }

  private Permit both(ConcurrencyGate version) {
    return () -> {
      version.leave();
      global.leave();
    };
  }

  private void pass(ConcurrencyGate gate, String full) {
    ConcurrencyGate.Outcome outcome;
    try {
      outcome = gate.enter(queueTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "interrupted while waiting for a place: " + full);
    }
    switch (outcome) {
      case ENTERED -> { }
      case QUEUE_FULL -> throw new Overloaded(full + ", and " + maxQueued + " more wait already; retry later");
      case TIMED_OUT -> throw new Overloaded(full + "; this request waited " + queueTimeout.toMillis()
          + " ms for a place in vain; retry later");
      default -> throw new IllegalStateException("unknown outcome " + outcome);
    }
  }

  /** The gate of a version with a concurrency limit, or null when it has none. */
  private ConcurrencyGate gate(FunctionSpec spec) {
    int max = spec.limits().maxConcurrency();
    if (max <= 0) {
      return null;
    }
    ConcurrencyGate gate = versions.computeIfAbsent(spec.ref(), ref -> new ConcurrencyGate(max, maxQueued));
    if (gate.max() != max) {
      // The version was deleted and deployed again with another limit: a fresh gate for the new one.
      ConcurrencyGate fresh = new ConcurrencyGate(max, maxQueued);
      versions.replace(spec.ref(), gate, fresh);
      return versions.get(spec.ref());
    }
    return gate;
  }

  /** Requests in flight on this node, through the global gate (for tests and metrics). */
  public int inFlight() {
    return global.inside();
  }

  /** Requests waiting in the line of {@code ref}'s gate (0 when it has no limit). */
  public int queued(FunctionRef ref) {
    ConcurrencyGate gate = versions.get(ref);
    return gate == null ? 0 : gate.queued();
  }

  /** Requests waiting in the global line. */
  public int queuedGlobally() {
    return global.queued();
  }

  /** A request refused because a concurrency limit and its line are full: 429, retry later. */
  public static final class Overloaded extends FaasException {
    private static final long serialVersionUID = 1L;

    Overloaded(String message) {
      super(Reason.TOO_MANY_REQUESTS, message);
    }
  }
}
