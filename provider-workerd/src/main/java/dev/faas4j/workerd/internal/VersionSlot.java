package dev.faas4j.workerd.internal;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.workerd.internal.Launcher.Running;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Everything the provider keeps for one deployed version, and its process's life: started,
 * replaced by one with new env values, stopped, crashed and backed off. The first replica is the
 * {@code current} process; more replicas ({@link #scale} above 1) are {@link ExtraReplicas}.
 *
 * <p>Changes ({@link #start}, {@link #scale}, {@link #updateEnv}, {@link #forget}) are serialised on
 * the slot; reads ({@link #endpoint}, {@link #status}, {@link #live}) take no lock.
 */
public final class VersionSlot {

  private final Launcher launcher;
  private final NetworkPolicy network;
  /** The version's directory, where the first process runs. */
  private final Path dir;
  private final LogBuffer logs;
  private final Logger log;
  private final CrashHistory crashes;
  /** Stops of processes replaced by an env update, pending their drain period. */
  private final Set<Runnable> draining = ConcurrentHashMap.newKeySet();
  private volatile FunctionSpec spec;
  /** The directory of the next process: {@code dir}, or {@code dir.<n>} after the n-th env update; guarded by this. */
  private Path runDir;
  /** How many env updates started a process; guarded by this. */
  private int generation;
  private volatile Running current;
  private volatile boolean starting;
  private volatile int wanted;
  private final ExtraReplicas extras;

  public VersionSlot(Launcher launcher, FunctionSpec spec, NetworkPolicy network, Path dir, LogBuffer logs, Logger log) {
    this.launcher = launcher;
    this.spec = spec;
    this.network = network;
    this.dir = dir;
    this.runDir = dir;
    this.logs = logs;
    this.log = log;
    this.crashes = new CrashHistory(launcher.crashPolicy());
    this.extras = new ExtraReplicas(launcher, dir, log, this::onExit);
  }

  public FunctionSpec spec() {
    return spec;
  }

  public FunctionRef ref() {
    return spec.ref();
  }

  public LogBuffer logs() {
    return logs;
  }

  /** The logger of the function's own output and of what happens to its processes. */
  public Logger log() {
    return log;
  }

  /** Starts the first process of a new deploy. */
  public synchronized void start() throws StartFailure, IOException {
    launcher.ensureOpen();
    wanted = 1;
    restart();
  }

  /**
   * 0 stops every process (draining ones too); 1 or more starts processes until that many are alive
   * (the first one, then {@link ExtraReplicas}), unless the version is backing off after crashes,
   * and takes away replicas beyond that many (they drain).
   */
  public synchronized void scale(int replicas) throws IOException {
    if (replicas == 0) {
      wanted = 0;
      stopCurrent();
      extras.stopAll();
      draining.forEach(Runnable::run);
      return;
    }
    launcher.ensureOpen();
    wanted = replicas;
    Running running = current;
    boolean currentAlive = running != null && running.process().isAlive();
    if (currentAlive) {
      launcher.freezer().thaw(running); // a frozen process is not ready to serve
    }
    if (currentAlive && extras.alive() >= replicas - 1) {
      scaleExtras(replicas); // fewer, or as many: nothing starts
      return;
    }
    Optional<Instant> until = crashes.backingOffUntil();
    if (until.isPresent()) {
      throw new FaasException(Reason.UNAVAILABLE, ref() + " " + crashes.summary() + "; not restarting it before "
          + until.get() + ". " + crashes.detail());
    }
    try {
      if (!currentAlive) {
        restart();
      }
    } catch (StartFailure e) {
      recordCrash("start failed: " + e.getMessage());
      throw new FaasException(Reason.UNAVAILABLE, "could not start " + ref() + ": " + e.getMessage());
    }
    scaleExtras(replicas);
  }

  private void scaleExtras(int replicas) throws IOException {
    try {
      extras.resize(replicas - 1, spec, network, logs);
    } catch (StartFailure e) {
      recordCrash("start of a replica failed: " + e.getMessage());
      throw new FaasException(Reason.UNAVAILABLE, "could not start a replica of " + ref() + ": " + e.getMessage());
    }
  }

  /** Stops the current process, if any, and starts a new one in the same directory. */
  private void restart() throws StartFailure, IOException {
    stopCurrent();
    launch();
  }

  /**
   * Starts a process in {@code runDir} and makes it current once it is ready (until then, the
   * current one keeps serving).
   */
  private void launch() throws StartFailure, IOException {
    starting = true;
    try {
      Running running = launcher.start(spec, network, runDir, log, logs);
      current = running;
      running.process().onExit().thenRun(() -> {
        try {
          onExit(running);
        } finally {
          running.group().remove();
        }
      });
      if (launcher.closed()) {
        // the provider closed while this process was starting and could not see it: stop it here.
        stopCurrent();
        throw new FaasException(Reason.UNAVAILABLE, "the workerd provider was closed");
      }
    } finally {
      starting = false;
    }
  }

  private void onExit(Running running) {
    WorkerdProcess process = running.process();
    if (process.stopRequested()) {
      return;
    }
    synchronized (this) {
      if (current == running) {
        launcher.deleteQuietly(running.dir()); // its env values go with it; the next start writes them again
      }
    }
    process.awaitOutput();
    List<String> lines = process.lastLines(20);
    String detail = crashHeadline(process) + (lines.isEmpty() ? "" : "; its last output:\n" + String.join("\n", lines));
    log.warn("{}", detail);
    recordCrash(detail);
  }

  private void recordCrash(String detail) {
    crashes.record(detail).ifPresent(until -> log.warn("{} {}: no restart before {}", ref(), crashes.summary(), until));
  }

  private static String crashHeadline(WorkerdProcess process) {
    String killed = process.killReason();
    return killed != null ? "workerd (pid " + process.pid() + ") was killed: " + killed
        : "workerd (pid " + process.pid() + ") exited unexpectedly with code " + process.exitCode();
  }

  /** Stops the current process, if any; the caller holds the slot's lock, or the provider is closing. */
  public void stopCurrent() {
    Running running = current;
    current = null;
    if (running != null) {
      launcher.stop(running);
    }
  }

  /** Sends TERM to the current process without waiting, so that a closing provider stops all at once. */
  public void requestStop() {
    Running running = current;
    if (running != null) {
      launcher.freezer().release(running);
      running.process().requestStop();
    }
    extras.requestStop();
  }

  /** Stops every process of the version (the current one and those draining) and deletes its directory. */
  public synchronized void forget() {
    stopCurrent();
    extras.stopAll();
    draining.forEach(Runnable::run);
    launcher.deleteQuietly(dir);
  }

  /**
   * Runs the version with new env values: a new process in a directory of its own serves new
   * requests once it is ready; the previous one is stopped after the drain period.
   */
  public synchronized void updateEnv(FunctionSpec next) {
    launcher.ensureOpen();
    FunctionSpec previous = spec;
    if (!new FunctionSpec(previous.name(), previous.version(), previous.runtime(), previous.code(), previous.image(),
        next.env(), previous.labels(), previous.limits(), previous.network(), previous.options(), previous.scaling())
        .sameDefinitionAs(next)) {
      throw FaasException.invalid("updateEnv may change the env of " + ref() + ", nothing else");
    }
    Running old = current;
    if (old == null || !old.process().isAlive()) {
      spec = next;
      return;
    }
    Path oldDir = runDir;
    spec = next;
    runDir = dir.resolveSibling(dir.getFileName() + "." + (++generation));
    try {
      launch();
    } catch (StartFailure | IOException | RuntimeException e) {
      spec = previous;
      runDir = oldDir;
      throw new FaasException(Reason.UNAVAILABLE, "could not start " + ref() + " with its new env; the running"
          + " process keeps serving: " + e.getMessage());
    }
    Runnable drain = new Runnable() {
      @Override
      public void run() {
        if (draining.remove(this)) {
          launcher.stop(old);
        }
      }
    };
    draining.add(drain);
    launcher.afterDrainPeriod(drain);
    if (extras.alive() > 0) {
      // the other replicas still have the old values: they drain too, and new ones start with the new values
      extras.drainAll();
      try {
        scaleExtras(wanted);
      } catch (IOException | RuntimeException e) {
        log.warn("{} runs with new env values on one replica; more could not start: {}", ref(), e.getMessage());
      }
    }
    log.info("{} runs with new env values on {}; the previous process drains for {} s", ref(),
        current.process().endpoint(), launcher.drainPeriod().toSeconds());
  }

  /**
   * Pauses the live process, if any (see {@link Freezer}). An idle version needs no more than one:
   * its other replicas are stopped, and the autoscaler starts them again once traffic asks.
   */
  public synchronized void freeze() throws IOException {
    Running running = current;
    extras.stopAll();
    if (running != null) {
      launcher.freezer().freeze(running);
    }
  }

  /** Resumes the current process if it is frozen. */
  public synchronized void thaw() throws IOException {
    Running running = current;
    if (running != null) {
      launcher.freezer().thaw(running);
    }
  }

  /** The memory the frozen process holds; 0 if none is frozen. */
  public long frozenBytes() {
    Running running = current;
    return running == null ? 0 : launcher.freezer().frozenBytes(running);
  }

  /** The live process, if any. */
  public Optional<WorkerdProcess> live() {
    Running running = current;
    return running != null && running.process().isAlive() ? Optional.of(running.process()) : Optional.empty();
  }

  /** The cgroup of the current process, if any. */
  public Optional<Cgroups.Group> group() {
    Running running = current;
    return running == null ? Optional.empty() : Optional.of(running.group());
  }

  public Optional<Endpoint> endpoint() {
    Optional<Endpoint> first = live().map(WorkerdProcess::endpoint);
    if (first.isPresent()) {
      return first;
    }
    List<Endpoint> others = extras.endpoints();
    return others.isEmpty() ? Optional.empty() : Optional.of(others.get(0));
  }

  /** The endpoint of every live replica, the first process's first. */
  public List<Endpoint> endpoints() {
    List<Endpoint> others = extras.endpoints();
    Optional<Endpoint> first = live().map(WorkerdProcess::endpoint);
    if (first.isEmpty()) {
      return others;
    }
    if (others.isEmpty()) {
      return List.of(first.get());
    }
    List<Endpoint> all = new java.util.ArrayList<>(others.size() + 1);
    all.add(first.get());
    all.addAll(others);
    return all;
  }

  public VersionStatus status() {
    Running running = current;
    WorkerdProcess process = running == null ? null : running.process();
    int wanted = this.wanted;
    int others = extras.alive();
    if (process != null && process.isAlive()) {
      VersionStatus.State state = launcher.freezer().isFrozen(running) ? VersionStatus.State.FROZEN
          : VersionStatus.State.RUNNING;
      return new VersionStatus(ref(), state, wanted, 1 + others, "pid " + process.pid()
          + " on " + ((Endpoint.Http) process.endpoint()).baseUri() + (others > 0 ? " and " + others + " more replica(s)" : ""));
    }
    if (others > 0) {
      return new VersionStatus(ref(), VersionStatus.State.RUNNING, wanted, others, others + " replica(s)");
    }
    if (starting) {
      return new VersionStatus(ref(), VersionStatus.State.STARTING, wanted, 0, "");
    }
    Optional<Instant> until = crashes.backingOffUntil();
    if (until.isPresent()) {
      return new VersionStatus(ref(), VersionStatus.State.FAILED, wanted, 0,
          crashes.summary() + "; no restart before " + until.get() + ". " + stoppedDetail(process));
    }
    return new VersionStatus(ref(), VersionStatus.State.STOPPED, wanted, 0, wanted > 0 ? stoppedDetail(process) : "");
  }

  /**
   * Why the version is not running. A process that exited on its own is reported at once, from the
   * process itself: {@link #onExit} records the crash with its last output a moment later.
   */
  private String stoppedDetail(WorkerdProcess process) {
    String recorded = crashes.detail();
    if (process != null && !process.isAlive() && !process.stopRequested()) {
      String headline = crashHeadline(process);
      return recorded.startsWith(headline) ? recorded : headline;
    }
    return recorded;
  }
}
