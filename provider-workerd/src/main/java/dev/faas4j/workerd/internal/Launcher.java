package dev.faas4j.workerd.internal;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops workerd processes for every version of one provider: writes a process's
 * directory (config, code, env values), puts it in a cgroup of its own, starts it, and undoes all
 * three when it stops. What the provider's versions share (binary, data dir, cgroups, timeouts, the
 * scheduler of drains, whether the provider is closed) lives here, so that a {@link VersionSlot}
 * holds only its own state.
 */
public final class Launcher {

  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  /** One started process, the cgroup it runs in and the directory it runs from. */
  public record Running(WorkerdProcess process, Cgroups.Group group, Path dir) {
  }

  private final java.nio.file.Path binary;
  private final DataDir dataDir;
  private final Cgroups cgroups;
  private final Duration startTimeout;
  private final Duration stopGracePeriod;
  private final Duration drainPeriod;
  private final WatchdogThread scheduler;
  private final CrashHistory.Policy crashPolicy;
  private final BooleanSupplier closed;
  private final Freezer freezer;
  /** A shell already in a spare set of cgroups, so that a start does not wait for joining them. */
  private final Spares spares;

  public Launcher(Path binary, DataDir dataDir, Cgroups cgroups, Duration startTimeout, Duration stopGracePeriod,
      Duration drainPeriod, WatchdogThread scheduler, CrashHistory.Policy crashPolicy, BooleanSupplier closed) {
    this.binary = binary;
    this.dataDir = dataDir;
    this.cgroups = cgroups;
    this.startTimeout = startTimeout;
    this.stopGracePeriod = stopGracePeriod;
    this.drainPeriod = drainPeriod;
    this.scheduler = scheduler;
    this.crashPolicy = crashPolicy;
    this.closed = closed;
    this.freezer = Freezer.of(cgroups);
    this.spares = new Spares(cgroups, dataDir.root(), scheduler);
    spares.prepare();
  }

  /** Pauses and resumes this provider's processes. */
  public Freezer freezer() {
    return freezer;
  }

  /**
   * Starts {@code spec} in {@code dir} (emptied first) and returns once it listens. On failure,
   * nothing is left behind: no process, no directory, no cgroup.
   */
  Running start(FunctionSpec spec, NetworkPolicy network, Path dir, Logger log, LogBuffer logs)
      throws StartFailure, IOException {
    FunctionRef ref = spec.ref();
    DataDir.deleteTree(dir);
    Path config = ConfigWriter.write(spec, network, dir);
    String threadName = "workerd-" + ref.name() + "-" + ref.version();
    SpareProcess spare = spares.take();
    Cgroups.Group group = spare != null ? spare.group() : cgroups.create(ref.name(), ref.version(), spec.limits());
    try {
      WorkerdProcess process = spare != null
          ? spare.become(binary, config, spec.limits(), dataDir.pidFile(dir), startTimeout, threadName, log, logs::add)
          : WorkerdProcess.start(binary, config, true, dataDir.pidFile(dir), group.procsFiles(), startTimeout,
              threadName, log, logs::add);
      return new Running(process, group, dir);
    } catch (StartFailure | IOException | RuntimeException e) {
      deleteQuietly(dir); // the process is gone, and so are its env values
      group.remove();
      throw e;
    }
  }

  /** Ends the spare shell; call it when the provider closes, before its cgroups are removed. */
  public void close() {
    spares.close();
  }

  /** Stops the process (TERM, then KILL after the grace period), deletes its directory and its cgroup. */
  void stop(Running running) {
    freezer.release(running); // a frozen process cannot act on TERM (nor a frozen cgroup on KILL)
    running.process().stop(stopGracePeriod);
    deleteQuietly(running.dir());
    running.group().remove(); // the process was reaped by stop()
  }

  /** Deletes a process's directory (its config and env values, its pid file), logging a failure. */
  void deleteQuietly(Path dir) {
    try {
      dataDir.deleteVersionDir(dir);
    } catch (UncheckedIOException e) {
      LOG.warn("could not remove {}: {}", dir, e.getCause().toString());
    }
  }

  /** Runs {@code drain} once the drain period has passed. */
  void afterDrainPeriod(Runnable drain) {
    scheduler.schedule(drain, drainPeriod);
  }

  Duration drainPeriod() {
    return drainPeriod;
  }

  CrashHistory.Policy crashPolicy() {
    return crashPolicy;
  }

  boolean closed() {
    return closed.getAsBoolean();
  }

  /** @throws FaasException UNAVAILABLE once the provider is closed */
  public void ensureOpen() {
    if (closed()) {
      throw new FaasException(Reason.UNAVAILABLE, "the workerd provider was closed");
    }
  }
}
