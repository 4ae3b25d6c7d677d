package dev.faas4j.workerd;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.EnvUpdates;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.Freezing;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.LogLine;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.api.TimeoutListener;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.workerd.internal.BinaryLocator;
import dev.faas4j.workerd.internal.Cgroups;
import dev.faas4j.workerd.internal.ConfigWriter;
import dev.faas4j.workerd.internal.CpuWatchdog;
import dev.faas4j.workerd.internal.CrashHistory;
import dev.faas4j.workerd.internal.DataDir;
import dev.faas4j.workerd.internal.HostAddresses;
import dev.faas4j.workerd.internal.Launcher;
import dev.faas4j.workerd.internal.Leftovers;
import dev.faas4j.workerd.internal.LogBuffer;
import dev.faas4j.workerd.internal.NetworkGuard;
import dev.faas4j.workerd.internal.StartFailure;
import dev.faas4j.workerd.internal.VersionSlot;
import dev.faas4j.workerd.internal.WatchdogThread;
import dev.faas4j.workerd.internal.WorkerdProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each deployed JavaScript function version as its own {@code workerd serve} process on a
 * loopback port.
 *
 * <p>{@link #deploy} validates a version by starting it; the started process is left running. Every
 * start first writes the process's directory ({@code dataDir/<name>/<version>/}: the generated
 * config, binary and text, and the code and env values the text form embeds). {@link #scale} with 0
 * terminates every process of the version; with {@code n >= 1} it runs {@code n} replicas: one
 * {@code workerd} process each (a process runs JavaScript on one thread, so replicas are how a
 * version uses more than one core), the first in {@code <version>/}, the others in {@code
 * <version>.r<k>/}, each in a cgroup of its own with the version's limits and on a port of its own;
 * {@link #endpoints} lists the ready ones, and faas-core spreads requests over them. Replicas taken
 * away by a lower count stop receiving requests at once and are stopped after the {@linkplain
 * WorkerdProviderBuilder#drainPeriod drain period}. A process that dies on its own is
 * replaced by the next {@code scale}; after {@code restartBackoff} crashes within the
 * window, the version is {@code FAILED} and {@code scale} refuses to start it until the back-off
 * ends.
 *
 * <p>Options understood in {@link FunctionSpec#options()}: {@code format} ({@code service-worker}
 * or {@code module}; detected from the code when absent: a line starting with an {@code export}
 * statement means module) and {@code compatibility-date} ({@code YYYY-MM-DD}, default
 * {@value ConfigWriter#DEFAULT_COMPATIBILITY_DATE}). Any other option is refused.
 *
 * <p>Thread-safe. Operations on one version are serialised; {@link #endpoint} takes no lock and
 * costs one {@link Process#isAlive()}. Every method's arguments must be non-null. Failures are
 * {@link FaasException}s: {@code INVALID_REQUEST} (bad option, not a {@code js} spec),
 * {@code INVALID_FUNCTION} (workerd refused the code; the message has workerd's stderr),
 * {@code NOT_FOUND} (scale of an unknown version), {@code CONFLICT} (a version redeployed with
 * another definition), {@code UNAVAILABLE} (start timeout, crash back-off, provider closed).
 *
 * <p>{@link #close()} (and a JVM shutdown hook, for a normal exit) terminates every process; a
 * new provider on the same data dir kills processes a crashed earlier run left there.
 *
 * <p><b>Env values on disk.</b> A process's directory (config, code, one file per env value, all
 * mode 600 in directories of mode 700) is written as the process starts and deleted when it stops
 * or exits, so env values (secrets among them) are on disk only while a process that needs them
 * runs; after a crash of the JVM, the next provider on the data dir deletes them. {@link #updateEnv}
 * (rotated secrets) starts a new process in a directory of its own ({@code <version>.<n>}), sends
 * new requests there once it is ready, and stops the old one after the {@linkplain
 * WorkerdProviderBuilder#drainPeriod drain period}.
 *
 * <p><b>Limits.</b> {@link Limits#memoryBytes()}, {@link Limits#cpus()} and {@link Limits#pids()}
 * are enforced with cgroups (v1 or v2, whichever this machine offers the JVM): each process runs in
 * a group of its own with those limits, joined before workerd starts, and removed once the process
 * is gone. A deploy asking for a limit that no writable cgroup controller can enforce (or any limit,
 * when built with {@link WorkerdProviderBuilder#enforceLimits enforceLimits(false)}) is refused with {@code
 * INVALID_FUNCTION} (422) naming the limit, never run unlimited.
 *
 * <p><b>Watchdog.</b> As a {@link TimeoutListener}, the provider checks a version's process when one
 * of its requests timed out: if the process keeps computing over the next second (its threads are
 * runnable, on a CPU or waiting for one, for 90 % of it or more), it is killed and counts as crashed;
 * the next request or maintenance pass starts a new one. A process waiting (on a timer, a fetch) is
 * asleep and left alone. See {@link CpuWatchdog}.
 */
public final class WorkerdProvider implements FunctionProvider, FunctionLogs, TimeoutListener, EnvUpdates, Freezing {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerdProvider.class);
  private static final String FUNCTION_LOGGER_PREFIX = "dev.faas4j.workerd.function.";
  /** How long a new provider waits, in the background, for the leftovers it killed to exit. */
  private static final Duration LEFTOVER_EXIT_WAIT = Duration.ofSeconds(10);

  private final Path binary;
  private final DataDir dataDir;
  private final Leftovers leftovers;
  private final NetworkPolicy defaultNetwork;
  /** Keeps every function away from this machine, unless the builder said otherwise. */
  private final NetworkGuard networkGuard;
  private final int logLines;
  private final Clock clock;
  private final Cgroups cgroups;
  private final WatchdogThread watchdogThread;
  private final CpuWatchdog watchdog;
  private final Launcher launcher;
  private final ConcurrentMap<FunctionRef, VersionSlot> slots = new ConcurrentHashMap<>();
  private final Thread shutdownHook;
  private volatile boolean closed;

  WorkerdProvider(WorkerdProviderBuilder b) {
    this.binary = BinaryLocator.locate(b.binary);
    this.networkGuard = b.allowHostAddresses ? NetworkGuard.off() : NetworkGuard.denying(HostAddresses.list());
    try {
      networkGuard.apply(b.defaultNetwork);
    } catch (FaasException e) {
      throw new IllegalArgumentException("defaultNetwork: " + e.getMessage(), e);
    }
    this.defaultNetwork = b.defaultNetwork;
    this.logLines = b.logLines;
    this.clock = b.clock;
    try {
      this.dataDir = DataDir.open(b.dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create workerd data dir " + b.dataDir + ": " + e.getMessage(), e);
    }
    this.cgroups = b.enforceLimits ? Cgroups.detect(dataDir.root(), b.cgroupRoot)
        : Cgroups.none("limits are not enforced: it was built with enforceLimits(false)");
    try {
      this.leftovers = Leftovers.clear(dataDir, cgroups, LEFTOVER_EXIT_WAIT);
      if (!leftovers.killedPids().isEmpty()) {
        LOG.warn("killed {} workerd process(es) left behind in {} by a previous run: pids {}",
            leftovers.killedPids().size(), dataDir.root(), Leftovers.firstFew(leftovers.killedPids()));
      }
    } catch (IOException | RuntimeException e) {
      cgroups.close();
      dataDir.close();
      throw new IllegalStateException("cannot clean up workerd data dir " + dataDir.root() + ": " + e, e);
    }
    this.watchdogThread = new WatchdogThread();
    this.watchdog = new CpuWatchdog(b.watchdogScheduler != null ? b.watchdogScheduler : watchdogThread,
        b.watchdogWindow, 0.9, CpuWatchdog.procStat(), System::nanoTime);
    this.launcher = new Launcher(binary, dataDir, cgroups, b.startTimeout, b.stopGracePeriod, b.drainPeriod,
        watchdogThread, new CrashHistory.Policy(b.crashLimit, b.crashWindow, b.backoff, b.clock), () -> closed);
    this.shutdownHook = new Thread(this::close, "faas4j-workerd-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    LOG.info("workerd provider ready: binary {}, data dir {}, limits: {}; idle processes are frozen with {}", binary,
        dataDir.root(), cgroups.describe(), launcher.freezer().describe());
  }

  /** A builder with the defaults described on each of its methods. */
  public static WorkerdProviderBuilder builder() {
    return new WorkerdProviderBuilder();
  }

  /** The workerd binary this provider runs. */
  public Path binary() {
    return binary;
  }

  /** The absolute data directory. */
  public Path dataDir() {
    return dataDir.root();
  }

  @Override
  public String name() {
    return "workerd";
  }

  @Override
  public Set<String> runtimes() {
    return Set.of("js");
  }

  @Override
  public void deploy(FunctionSpec spec) throws Exception {
    Objects.requireNonNull(spec, "spec");
    if (!"js".equals(spec.runtime())) {
      throw FaasException.invalid("the workerd provider runs runtime 'js', not '" + spec.runtime() + "'");
    }
    ConfigWriter.checkOptions(spec);
    Optional<String> refusal = cgroups.refusal(spec.limits());
    if (refusal.isPresent()) {
      throw new FaasException(Reason.INVALID_FUNCTION, "cannot deploy " + spec.ref() + ": " + refusal.get());
    }
    NetworkPolicy network = networkGuard.apply(spec.network() != null ? spec.network() : defaultNetwork);
    FunctionRef ref = spec.ref();
    VersionSlot slot = new VersionSlot(launcher, spec, network, dataDir.versionDir(ref.name(), ref.version()),
        new LogBuffer(logLines, ref.version(), clock),
        LoggerFactory.getLogger(FUNCTION_LOGGER_PREFIX + ref.name() + "." + ref.version()));
    VersionSlot existing = slots.putIfAbsent(ref, slot);
    if (existing != null) {
      if (existing.spec().sameDefinitionAs(spec)) {
        return;
      }
      throw FaasException.conflict("version " + ref + " is already deployed with another definition;"
          + " versions are immutable: deploy a new version instead");
    }
    synchronized (slot) {
      try {
        slot.start();
        LOG.info("deployed {} on {}", ref, slot.endpoint().map(Object::toString).orElse("(exited at once)"));
      } catch (StartFailure e) {
        forget(slot);
        if (e.exited()) {
          throw new FaasException(Reason.INVALID_FUNCTION, "workerd refused " + ref + ": " + e.getMessage());
        }
        throw new FaasException(Reason.UNAVAILABLE, "could not validate " + ref + ": " + e.getMessage());
      } catch (Exception | Error e) {
        forget(slot);
        throw e;
      }
    }
  }

  private void forget(VersionSlot slot) {
    slots.remove(slot.ref(), slot);
    slot.forget();
  }

  @Override
  public void scale(FunctionRef ref, int replicas) throws Exception {
    if (replicas < 0) {
      throw FaasException.invalid("replicas must not be negative: " + replicas);
    }
    deployed(ref).scale(replicas);
  }

  private VersionSlot deployed(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    if (slot == null) {
      throw FaasException.notFound("version " + ref + " is not deployed on this workerd provider");
    }
    return slot;
  }

  /**
   * Gives a deployed version new env values: see the class comment. Returns once new requests reach
   * a process with the new values (at once, for a version with no running process).
   */
  @Override
  public void updateEnv(FunctionSpec spec) throws Exception {
    Objects.requireNonNull(spec, "spec");
    deployed(spec.ref()).updateEnv(spec);
  }

  /**
   * Pauses the version's process (the cgroup freezer where the process has one, SIGSTOP otherwise:
   * see the start-up log line); it keeps its memory and its port, and serves again once thawed.
   *
   * @throws FaasException NOT_FOUND if the version is not deployed here
   */
  @Override
  public void freeze(FunctionRef ref) throws Exception {
    deployed(ref).freeze();
  }

  /** Resumes the version's process if it is frozen; returns once it runs. */
  @Override
  public void thaw(FunctionRef ref) throws Exception {
    deployed(ref).thaw();
  }

  @Override
  public long frozenMemoryBytes(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? 0 : slot.frozenBytes();
  }

  @Override
  public void undeploy(FunctionRef ref) throws Exception {
    VersionSlot slot = slots.get(ref);
    if (slot == null) {
      return;
    }
    synchronized (slot) {
      forget(slot);
    }
    LOG.info("undeployed {}", ref);
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? VersionStatus.stopped(ref) : slot.status();
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? Optional.empty() : slot.endpoint();
  }

  /** The endpoint of every live replica of the version, the first process's first. */
  @Override
  public List<Endpoint> endpoints(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? List.of() : slot.endpoints();
  }

  @Override
  public List<String> logs(FunctionRef ref, int maxLines) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? List.of() : slot.logs().last(maxLines);
  }

  @Override
  public List<LogLine> lines(FunctionRef ref, int maxLines) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? List.of() : slot.logs().lines(maxLines);
  }

  /**
   * Follows the version's output: every line its instances write from now on (across restarts)
   * goes to {@code listener} on the thread that read it.
   *
   * @throws FaasException NOT_FOUND if the version is not deployed here
   */
  @Override
  public AutoCloseable follow(FunctionRef ref, Consumer<LogLine> listener) {
    VersionSlot slot = slots.get(ref);
    if (slot == null) {
      throw FaasException.notFound("version " + ref + " is not deployed on workerd here");
    }
    return slot.logs().follow(listener);
  }

  /**
   * Checks the version's process with the watchdog (see the class comment): a process that keeps
   * spinning after a timeout is killed, and counts as a crash. Returns at once; the check takes a
   * second.
   */
  @Override
  public void requestTimedOut(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    WorkerdProcess process = slot == null ? null : slot.live().orElse(null);
    if (process == null || closed) {
      return;
    }
    watchdog.check(process.pid(), why -> {
      if (slot.live().orElse(null) == process && !process.stopRequested()) {
        slot.log().warn("killing {} (pid {}): {}", ref, process.pid(), why);
        process.kill(why);
      }
    });
  }

  /** The directory of the cgroup of {@code controller} the version's live process runs in, if any; for tests. */
  Optional<Path> cgroupDir(FunctionRef ref, String controller) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? Optional.empty() : slot.group().flatMap(group -> group.dir(controller));
  }

  /** The pid of the version's live process, if any; for diagnostics and tests. */
  public Optional<Long> pid(FunctionRef ref) {
    VersionSlot slot = slots.get(ref);
    return slot == null ? Optional.empty() : slot.live().map(WorkerdProcess::pid);
  }

  /**
   * Terminates every process (SIGTERM to all, then SIGKILL to those still alive after the grace
   * period), deletes the version directories and releases the data dir. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<VersionSlot> all = new ArrayList<>(slots.values());
    // TERM everything first so the processes shut down in parallel, then wait for each.
    all.forEach(VersionSlot::requestStop);
    for (VersionSlot slot : all) {
      slots.remove(slot.ref(), slot);
      slot.forget();
    }
    launcher.close();
    leftovers.awaitRemoved(LEFTOVER_EXIT_WAIT);
    watchdogThread.close();
    cgroups.close();
    dataDir.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // close() is running from the hook itself, or the JVM is exiting anyway.
    }
    LOG.info("workerd provider closed; {} version(s) stopped", all.size());
  }
}
