package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link SpareProcess} ready for the next start and makes another, in the background,
 * each time one is taken. One idle shell (1.7 MB resident, most of it shared libc pages) is what
 * it costs; where no cgroup is joined ({@link Cgroups#confines()} false) it keeps none, since a
 * spare would save nothing.
 *
 * <p>Thread-safe.
 */
final class Spares implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Spares.class);

  private final Cgroups cgroups;
  private final Path workingDir;
  private final WatchdogThread scheduler;
  private final AtomicReference<SpareProcess> ready = new AtomicReference<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  Spares(Cgroups cgroups, Path workingDir, WatchdogThread scheduler) {
    this.cgroups = cgroups;
    this.workingDir = workingDir;
    this.scheduler = scheduler;
    if (!cgroups.confines()) {
      closed.set(true); // nothing to gain: never make one
    }
  }

  /** Starts making the first spare, in the background. */
  void prepare() {
    refillLater();
  }

  /**
   * The spare made in advance, if one is ready and alive; the caller owns it (and must {@link
   * SpareProcess#discard} it if it does not use it). Another is made in the background.
   */
  SpareProcess take() {
    SpareProcess spare = ready.getAndSet(null);
    if (spare == null) {
      return null;
    }
    refillLater();
    if (!spare.isAlive()) {
      LOG.debug("the spare workerd shell exited before it was needed; starting without it");
      spare.discard();
      return null;
    }
    return spare;
  }

  private void refillLater() {
    if (closed.get()) {
      return;
    }
    try {
      scheduler.schedule(this::refill, Duration.ZERO);
    } catch (RejectedExecutionException closing) {
      // the provider is closing: no spare is needed any more
    }
  }

  /** Makes a spare unless one is ready; under the lock, so that {@link #close} waits for it. */
  private synchronized void refill() {
    if (closed.get() || ready.get() != null) {
      return;
    }
    try {
      ready.set(SpareProcess.start(cgroups, workingDir));
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not prepare a spare workerd shell (starts go on without one): {}", e.toString());
    }
  }

  /**
   * Ends the spare that is ready, if any, after one being made; none is made after this.
   * Idempotent.
   */
  @Override
  public void close() {
    closed.set(true);
    SpareProcess spare;
    synchronized (this) {
      spare = ready.getAndSet(null);
    }
    if (spare != null) {
      discardQuietly(spare);
    }
  }

  private static void discardQuietly(SpareProcess spare) {
    try {
      spare.discard();
    } catch (RuntimeException e) {
      LOG.warn("could not end a spare workerd shell: {}", e.toString());
    }
  }
}
