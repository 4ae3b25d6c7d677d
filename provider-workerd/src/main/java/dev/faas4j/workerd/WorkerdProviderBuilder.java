package dev.faas4j.workerd;

import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.workerd.internal.CpuWatchdog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Configures a {@link WorkerdProvider}. Not thread-safe. Each setting may be set once; a second
 * call, a null or a non-positive value fails at once with {@link IllegalArgumentException} or
 * {@link IllegalStateException}.
 */
public final class WorkerdProviderBuilder {
  Path binary;
  Path dataDir = Path.of("faas-data", "workerd");
  Duration startTimeout = Duration.ofSeconds(10);
  Duration stopGracePeriod = Duration.ofSeconds(5);
  Duration drainPeriod = Duration.ofSeconds(30);
  NetworkPolicy defaultNetwork = NetworkPolicy.PUBLIC_ONLY;
  boolean allowHostAddresses;
  int logLines = 200;
  int crashLimit = 3;
  Duration crashWindow = Duration.ofMinutes(1);
  Duration backoff = Duration.ofSeconds(30);
  Clock clock = Clock.systemUTC();
  boolean enforceLimits = true;
  Path cgroupRoot;
  Duration watchdogWindow = Duration.ofSeconds(1);
  CpuWatchdog.Scheduler watchdogScheduler;
  private final Set<String> set = new HashSet<>();

  WorkerdProviderBuilder() {}

  private void once(String setting) {
    if (!set.add(setting)) {
      throw new IllegalStateException(setting + " was already set");
    }
  }

  private static Duration positive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + value);
    }
    return value;
  }

  /**
   * The workerd binary. Default: {@code FAAS4J_WORKERD}, then the workerd-runtime jar of this
   * platform on the classpath (extracted once into {@code ~/.cache/faas4j/workerd/<version>/}),
   * then {@code workerd} on {@code PATH}.
   */
  public WorkerdProviderBuilder binary(Path binary) {
    once("binary");
    this.binary = Objects.requireNonNull(binary, "binary");
    return this;
  }

  /**
   * Where version directories live; default {@code faas-data/workerd} under the working
   * directory. One provider per directory: it deletes what it finds there on start.
   */
  public WorkerdProviderBuilder dataDir(Path dataDir) {
    once("dataDir");
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    return this;
  }

  /** How long a process may take to listen before its start fails; default 10 s. */
  public WorkerdProviderBuilder startTimeout(Duration startTimeout) {
    once("startTimeout");
    this.startTimeout = positive("startTimeout", startTimeout);
    return this;
  }

  /**
   * How long a process replaced by {@link WorkerdProvider#updateEnv} keeps running after new
   * requests went to its successor, to finish what it was given; default 30 s (a request's default
   * timeout in faas-core).
   */
  public WorkerdProviderBuilder drainPeriod(Duration drainPeriod) {
    once("drainPeriod");
    this.drainPeriod = positive("drainPeriod", drainPeriod);
    return this;
  }

  /** How long a stopped process gets after SIGTERM before SIGKILL; default 5 s. */
  public WorkerdProviderBuilder stopGracePeriod(Duration stopGracePeriod) {
    once("stopGracePeriod");
    this.stopGracePeriod = positive("stopGracePeriod", stopGracePeriod);
    return this;
  }

  /**
   * Whether functions may reach the machine they run on; default false. When false, every policy
   * is rewritten so that loopback, {@code 0.0.0.0/8}, {@code ::}, their IPv4-mapped forms and every
   * address of this machine's interfaces (found when the provider is built) are denied whatever
   * the policy allows, and a policy that allows {@code local}, or a CIDR inside loopback or the
   * unspecified addresses, is refused at deploy with {@code INVALID_REQUEST}. When true, workerd
   * gets each policy as asked: only for a machine that runs nothing a function must not reach.
   */
  public WorkerdProviderBuilder allowHostAddresses(boolean allow) {
    once("allowHostAddresses");
    this.allowHostAddresses = allow;
    return this;
  }

  /**
   * The outbound network policy of functions that have none; default {@link NetworkPolicy#PUBLIC_ONLY}.
   * It follows the same rules as a function's own (see {@link #allowHostAddresses}): one the
   * provider would refuse makes {@link #build()} fail with {@link IllegalArgumentException}.
   */
  public WorkerdProviderBuilder defaultNetwork(NetworkPolicy defaultNetwork) {
    once("defaultNetwork");
    this.defaultNetwork = Objects.requireNonNull(defaultNetwork, "defaultNetwork");
    return this;
  }

  /** How many output lines are kept per version for {@link WorkerdProvider#logs}; default 200. */
  public WorkerdProviderBuilder logLines(int logLines) {
    once("logLines");
    if (logLines < 0) {
      throw new IllegalArgumentException("logLines must not be negative, was " + logLines);
    }
    this.logLines = logLines;
    return this;
  }

  /**
   * After {@code crashes} unexpected exits (or failed starts) within {@code window}, a version
   * is not restarted for {@code backoff}. Default: 3 within 1 minute, 30 s.
   */
  public WorkerdProviderBuilder restartBackoff(int crashes, Duration window, Duration backoff) {
    once("restartBackoff");
    if (crashes < 1) {
      throw new IllegalArgumentException("crashes must be at least 1, was " + crashes);
    }
    this.crashLimit = crashes;
    this.crashWindow = positive("window", window);
    this.backoff = positive("backoff", backoff);
    return this;
  }

  /**
   * Whether memory, CPU and pids limits are enforced with cgroups; default true. With false, a
   * deploy that sets any of them is refused (422): limits are never accepted and ignored.
   */
  public WorkerdProviderBuilder enforceLimits(boolean enforce) {
    once("enforceLimits");
    this.enforceLimits = enforce;
    return this;
  }

  /**
   * A cgroup v2 directory delegated to this process (writable, with no process of its own), under
   * which the provider creates its groups. Default: cgroup v1 where this machine mounts it, else
   * the JVM's own v2 cgroup (which works only where it may pass controllers to children).
   */
  public WorkerdProviderBuilder cgroupRoot(Path cgroupRoot) {
    once("cgroupRoot");
    this.cgroupRoot = Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    return this;
  }

  /** How long the watchdog measures a process's CPU use after a timeout; default 1 s. */
  WorkerdProviderBuilder watchdogWindow(Duration window) {
    once("watchdogWindow");
    this.watchdogWindow = positive("watchdogWindow", window);
    return this;
  }

  /** Where the watchdog's second sample is scheduled; tests run it by hand. */
  WorkerdProviderBuilder watchdogScheduler(CpuWatchdog.Scheduler scheduler) {
    once("watchdogScheduler");
    this.watchdogScheduler = Objects.requireNonNull(scheduler, "watchdogScheduler");
    return this;
  }

  /** The clock for crash back-off; tests advance their own. */
  WorkerdProviderBuilder clock(Clock clock) {
    once("clock");
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Builds the provider: locates the binary, locks the data dir and kills what a previous run
   * left in it.
   *
   * @throws IllegalStateException if the binary cannot be found (the message says how to
   *     install it) or another provider uses the data dir
   */
  public WorkerdProvider build() {
    return new WorkerdProvider(this);
  }
}
