package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.VersionStatus.State;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link Autoscaler}'s decisions: on every pass, each running version whose
 * {@link dev.faas4j.api.Scaling} allows more than one replica (or keeps some warm) gives its
 * average concurrency since the last pass to its autoscaler, and is scaled to the count it decides
 * when that differs from what it runs. Scaling runs on the executor, one scale at a time per
 * version, so that a pass never waits for processes to start.
 *
 * <p>A version that is not running has no autoscaler: it starts again at one replica, and the
 * next pass decides afresh. Thread-safe: passes run on one thread at a time (the maintenance
 * thread), the rest is read from any thread.
 */
final class Autoscaling {

  private static final Logger LOG = LoggerFactory.getLogger(Autoscaling.class);

  /** One running version's autoscaler and what was last applied. */
  private static final class Scaler {
    final Autoscaler autoscaler;
    final AtomicBoolean scaling = new AtomicBoolean();
    volatile int applied = 1;
    volatile int desired = 1;

    Scaler(Autoscaler autoscaler) {
      this.autoscaler = autoscaler;
    }
  }

  private final Clock clock;
  private final Executor executor;
  private final ConcurrentHashMap<FunctionRef, Scaler> scalers = new ConcurrentHashMap<>();

  Autoscaling(Clock clock, Executor executor) {
    this.clock = clock;
    this.executor = executor;
  }

  /** One pass over every version known here. */
  void pass(Collection<Instance> instances) {
    long now = clock.millis();
    long[] length = new long[1];
    Set<FunctionRef> present = new HashSet<>();
    for (Instance instance : instances) {
      present.add(instance.ref);
      boolean running = instance.state == State.RUNNING;
      List<Endpoint> ready = running ? instance.provider.endpoints(instance.ref) : List.of();
      instance.spread.retain(ready);
      double concurrency = instance.load.averageSince(now, length);
      if (!running || !instance.spec.scaling().autoscaled()) {
        scalers.remove(instance.ref);
        continue;
      }
      Scaler scaler = scalers.computeIfAbsent(instance.ref, ref -> new Scaler(new Autoscaler(instance.spec.scaling())));
      Autoscaler.Decision decision = scaler.autoscaler.decide(now, length[0], concurrency, ready.size());
      scaler.desired = decision.replicas();
      if ((decision.replicas() != scaler.applied || ready.size() < decision.replicas())
          && scaler.scaling.compareAndSet(false, true)) {
        apply(instance, scaler, decision);
      }
    }
    scalers.keySet().retainAll(present);
  }

  private void apply(Instance instance, Scaler scaler, Autoscaler.Decision decision) {
    int replicas = decision.replicas();
    try {
      executor.execute(() -> {
        try {
          if (instance.rescale(replicas)) {
            if (replicas != scaler.applied) {
              LOG.info("scaled {} from {} to {} replica(s): {} request(s) at once over the stable window, {} over the"
                  + " panic window{}", instance.ref, scaler.applied, replicas, round(decision.stableAverage()),
                  round(decision.panicAverage()), decision.panicking() ? " (panicking)" : "");
            }
            scaler.applied = replicas;
          }
        } catch (Exception | Error e) {
          LOG.warn("could not scale {} to {} replica(s): {}", instance.ref, replicas, e.getMessage());
        } finally {
          scaler.scaling.set(false);
        }
      });
    } catch (RuntimeException rejected) {
      scaler.scaling.set(false); // shutting down
    }
  }

  private static String round(double value) {
    return String.format(java.util.Locale.ROOT, "%.2f", value);
  }

  /** The replicas last decided for a running autoscaled version; 0 for one that is not running or not autoscaled. */
  int desired(FunctionRef ref) {
    Scaler scaler = scalers.get(ref);
    return scaler == null ? 0 : scaler.desired;
  }
}
