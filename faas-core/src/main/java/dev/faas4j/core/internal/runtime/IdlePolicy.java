package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Freezing;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.VersionStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a version nobody calls, in two tiers:
 * <ol>
 *   <li>after the idle timeout a running version is <em>frozen</em> if its provider has the
 *       {@link Freezing} capability (its processes paused, memory kept; the next request thaws it
 *       in about a millisecond), and suspended (terminated) otherwise, as before;
 *   <li>a frozen version is suspended after the frozen timeout (counted from its last request), or
 *       sooner when the frozen versions together hold more memory than the budget: the least
 *       recently used go first until the rest fit.
 * </ol>
 *
 * <p>Every change of an {@link Instance}'s state happens under that instance's monitor. A request
 * path calls {@link #thaw} before it asks for an endpoint: a request that finds its version frozen
 * waits for the thaw (or, if the version was suspended meanwhile, starts it), never reaches a
 * paused process. Thread-safe; time comes from the injected clock.
 */
public final class IdlePolicy {

  private static final Logger LOG = LoggerFactory.getLogger(IdlePolicy.class);
  /** The defaults of {@code FaasBuilder.frozenTimeout} and {@code frozenMemoryBudget}. */
  public static final Duration DEFAULT_FROZEN_TIMEOUT = Duration.ofMinutes(15);
  public static final long DEFAULT_FROZEN_MEMORY_BUDGET = 512L * 1024 * 1024;

  private final Clock clock;
  private final Duration idleTimeout;
  private volatile Duration frozenTimeout = DEFAULT_FROZEN_TIMEOUT;
  private volatile long memoryBudgetBytes = DEFAULT_FROZEN_MEMORY_BUDGET;

  IdlePolicy(Clock clock, Duration idleTimeout) {
    this.clock = clock;
    this.idleTimeout = idleTimeout;
  }

  /** Sets the second tier: how long a version stays frozen, and how much memory frozen versions may hold. */
  void frozenTier(Duration frozenTimeout, long memoryBudgetBytes) {
    if (frozenTimeout.isNegative() || memoryBudgetBytes < 0) {
      throw new IllegalArgumentException("frozenTimeout and the memory budget must not be negative");
    }
    this.frozenTimeout = frozenTimeout;
    this.memoryBudgetBytes = memoryBudgetBytes;
  }

  /**
   * One pass over {@code instances}: freezes or suspends the idle running ones (except those
   * {@code keepWarm} accepts), then suspends the frozen ones that stayed frozen too long or do
   * not fit the memory budget. Returns the versions it froze or suspended.
   */
  List<FunctionRef> apply(Collection<Instance> instances, Predicate<FunctionRef> keepWarm) {
    long now = clock.millis();
    long idleBefore = now - idleTimeout.toMillis();
    List<FunctionRef> changed = new ArrayList<>();
    for (Instance instance : instances) {
      if (instance.state != State.RUNNING || instance.lastUsedMillis > idleBefore || keepWarm.test(instance.ref)) {
        continue;
      }
      try {
        // a frozen timeout of zero turns the frozen tier off: idle versions are terminated at once
        Optional<Freezing> freezing = frozenTimeout.isZero() ? Optional.empty()
            : instance.provider.capability(Freezing.class);
        boolean done = freezing.isPresent() ? freezeIfIdle(instance, freezing.get(), idleBefore)
            : instance.suspendIfIdle(idleBefore);
        if (done) {
          LOG.info("{} {} due to inactivity", freezing.isPresent() ? "froze" : "suspended", instance.ref);
          changed.add(instance.ref);
        }
      } catch (Exception e) {
        LOG.warn("could not put {} to sleep: {}", instance.ref, e.getMessage());
      }
    }
    long frozenBefore = now - frozenTimeout.toMillis();
    List<Instance> frozen = new ArrayList<>();
    for (Instance instance : instances) {
      if (instance.state != State.FROZEN) {
        continue;
      }
      if (instance.lastUsedMillis <= frozenBefore) {
        terminate(instance, "it stayed frozen for " + frozenTimeout.toSeconds() + " s", changed);
      } else {
        frozen.add(instance);
      }
    }
    evictOverBudget(frozen, changed);
    return changed;
  }

  /** Suspends frozen versions, least recently used first, until the rest hold no more than the budget. */
  private void evictOverBudget(List<Instance> frozen, List<FunctionRef> changed) {
    long total = 0;
    long[] sizes = new long[frozen.size()];
    for (int i = 0; i < sizes.length; i++) {
      Instance instance = frozen.get(i);
      sizes[i] = instance.provider.capability(Freezing.class).map(f -> f.frozenMemoryBytes(instance.ref)).orElse(0L);
      total += sizes[i];
    }
    if (total <= memoryBudgetBytes) {
      return;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < frozen.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingLong(i -> frozen.get(i).lastUsedMillis));
    for (int i : order) {
      if (total <= memoryBudgetBytes) {
        return;
      }
      if (terminate(frozen.get(i), "frozen versions held " + total + " bytes, over the budget of "
          + memoryBudgetBytes, changed)) {
        total -= sizes[i];
      }
    }
  }

  /**
   * Freezes the instance if it is running, idle since {@code idleBeforeMillis} and serving no
   * request. The state is set before the in-flight count is read, as in {@link Instance#suspendIfIdle}:
   * a request that slipped in sees FROZEN and waits in {@link #thaw} until this returns.
   */
  private static boolean freezeIfIdle(Instance instance, Freezing freezing, long idleBeforeMillis) throws Exception {
    synchronized (instance) {
      if (instance.state != State.RUNNING || instance.lastUsedMillis > idleBeforeMillis) {
        return false;
      }
      instance.state = State.FROZEN;
      if (instance.inFlight.get() > 0) {
        instance.state = State.RUNNING;
        return false;
      }
      try {
        freezing.freeze(instance.ref);
      } catch (Exception | Error e) {
        instance.state = State.RUNNING;
        throw e;
      }
      return true;
    }
  }

  /** Terminates a frozen instance (the provider thaws it if it must); the next request starts it. */
  private static boolean terminate(Instance instance, String why, List<FunctionRef> changed) {
    synchronized (instance) {
      if (instance.state != State.FROZEN) {
        return false;
      }
      try {
        instance.provider.scale(instance.ref, 0);
      } catch (Exception e) {
        LOG.warn("could not terminate frozen {}: {}", instance.ref, e.getMessage());
        return false;
      }
      instance.state = State.SUSPENDED;
    }
    LOG.info("terminated frozen {}: {}", instance.ref, why);
    changed.add(instance.ref);
    return true;
  }

  /**
   * Thaws the instance if it is frozen, before a request asks it for an endpoint; does nothing
   * otherwise. If the provider cannot thaw it, the instance is terminated and marked stopped, so
   * the request starts a fresh one.
   */
  static void thaw(Instance instance) {
    if (instance.state != State.FROZEN) {
      return;
    }
    synchronized (instance) {
      if (instance.state != State.FROZEN) {
        return;
      }
      try {
        instance.provider.capability(Freezing.class).orElseThrow().thaw(instance.ref);
        instance.state = State.RUNNING;
      } catch (Exception e) {
        LOG.warn("could not thaw {}: {}; starting it afresh", instance.ref, e.getMessage());
        try {
          instance.provider.scale(instance.ref, 0);
        } catch (Exception stop) {
          LOG.warn("could not terminate {} after a failed thaw: {}", instance.ref, stop.getMessage());
        }
        instance.lastError = "thaw failed: " + e.getMessage();
        instance.state = State.STOPPED;
      }
    }
  }
}
