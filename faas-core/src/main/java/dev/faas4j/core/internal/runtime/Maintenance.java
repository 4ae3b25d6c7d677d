package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.FunctionRef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle policy and the autoscaler, applied in passes: each pass notices instances that exited on
 * their own, freezes or suspends versions idle for longer than the idle timeout (except those kept
 * warm, and those whose scaling keeps a minimum of replicas; see {@link IdlePolicy}), scales running
 * versions to the replicas their concurrency asks for ({@link Instances#autoscale}), then runs the
 * caller's own clean-up (closing pooled connections that may lead to a suspended instance).
 *
 * <p>Passes run on one background thread at a fixed delay, or only when {@link #runOnce()} is
 * called if the interval is zero. Thread-safe.
 */
public final class Maintenance implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

  private final Instances instances;
  private final Predicate<FunctionRef> keepWarm;
  private final Runnable afterPass;
  private final ScheduledExecutorService scheduler;

  /**
   * @param keepWarm the versions never suspended
   * @param afterPass runs at the end of every pass
   * @param interval the delay between passes, or zero for no background thread
   */
  public Maintenance(Instances instances, Predicate<FunctionRef> keepWarm, Runnable afterPass, Duration interval) {
    this.instances = instances;
    this.keepWarm = keepWarm;
    this.afterPass = afterPass;
    if (interval.isZero()) {
      this.scheduler = null;
    } else {
      this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.daemon("faas4j-maintenance-"));
      long period = interval.toMillis();
      scheduler.scheduleWithFixedDelay(this::runLogged, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** Runs one pass now; returns the versions it suspended. */
  public List<FunctionRef> runOnce() {
    Predicate<FunctionRef> warm = keepWarm.or(instances::keepsReplicas);
    instances.recoverCrashed(warm);
    List<FunctionRef> suspended = instances.suspendIdle(warm);
    instances.autoscale();
    afterPass.run();
    return suspended;
  }

  private void runLogged() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.warn("maintenance pass failed", e);
    }
  }

  /** Stops the background thread, if there is one. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
