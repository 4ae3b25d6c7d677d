package dev.faas4j.workerd.internal;

import dev.faas4j.workerd.internal.Launcher.Running;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Pauses and resumes workerd processes, keeping their memory and their listening socket: the
 * frozen tier between running and terminated. Three ways, the first the machine offers:
 * <ol>
 *   <li>the cgroup v1 freezer: {@code FROZEN}/{@code THAWED} into the process group's {@code
 *       freezer.state} (see {@link CgroupsV1});
 *   <li>the cgroup v2 freezer: {@code 1}/{@code 0} into the group's {@code cgroup.freeze};
 *   <li>signals: {@code kill -STOP}/{@code kill -CONT} (Java cannot send them itself), where the
 *       process has no freezable cgroup.
 * </ol>
 * A frozen process runs no code (timers do not fire), and the kernel queues what arrives on its
 * sockets until it is thawed. It must be thawed before it can be stopped (a frozen cgroup defers
 * even SIGKILL): {@link Launcher#stop} calls {@link #release} first.
 *
 * <p>The memory a frozen process holds is measured once, when it is frozen (it cannot change
 * while frozen): the resident anonymous and shared-memory pages of {@code /proc/<pid>/status}
 * ({@code RssAnon + RssShmem}), that is, what the kernel cannot simply drop. The workerd binary's
 * own pages (about 40 MB, shared by every process) are not counted.
 *
 * <p>Thread-safe.
 */
public final class Freezer {

  /** How a process is paused. */
  enum Mode {
    CGROUP_V1("the cgroup v1 freezer (freezer.state)"),
    CGROUP_V2("the cgroup v2 freezer (cgroup.freeze)"),
    SIGNALS("SIGSTOP/SIGCONT (kill -STOP / kill -CONT)");

    final String description;

    Mode(String description) {
      this.description = description;
    }
  }

  private static final long SETTLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final Mode mode;
  /** The frozen processes, and the memory each held when it was frozen. */
  private final Map<WorkerdProcess, Long> frozen = new ConcurrentHashMap<>();

  Freezer(Mode mode) {
    this.mode = mode;
  }

  /** The way {@code cgroups} lets processes be frozen. */
  static Freezer of(Cgroups cgroups) {
    if (cgroups instanceof CgroupsV1 v1 && v1.uses(CgroupsV1.FREEZER)) {
      return new Freezer(Mode.CGROUP_V1);
    }
    if (cgroups instanceof CgroupsV2 v2 && v2.isUsable()) {
      return new Freezer(Mode.CGROUP_V2);
    }
    return new Freezer(Mode.SIGNALS);
  }

  /** For the provider's start-up log line. */
  public String describe() {
    return mode.description;
  }

  /** Pauses the process; idempotent. */
  void freeze(Running running) throws IOException {
    WorkerdProcess process = running.process();
    if (frozen.containsKey(process) || !process.isAlive()) {
      return;
    }
    long bytes = heldBytes(process.pid());
    switch (modeFor(running)) {
      case CGROUP_V1 -> {
        Path state = running.group().dir(CgroupsV1.FREEZER).orElseThrow().resolve("freezer.state");
        Cgroups.write(state, "FROZEN");
        awaitFile(state, "FROZEN");
      }
      case CGROUP_V2 -> {
        Path dir = v2Dir(running).orElseThrow();
        Cgroups.write(dir.resolve("cgroup.freeze"), "1");
        awaitFile(dir.resolve("cgroup.events"), "frozen 1");
      }
      case SIGNALS -> {
        signal("-STOP", process.pid());
        awaitStopped(process.pid()); // the signal is delivered when the process is next scheduled
      }
    }
    frozen.put(process, bytes);
  }

  /** Resumes the process; does nothing if it is not frozen. */
  void thaw(Running running) throws IOException {
    WorkerdProcess process = running.process();
    if (!frozen.containsKey(process)) {
      return;
    }
    switch (modeFor(running)) {
      case CGROUP_V1 -> Cgroups.write(running.group().dir(CgroupsV1.FREEZER).orElseThrow().resolve("freezer.state"),
          "THAWED");
      case CGROUP_V2 -> Cgroups.write(v2Dir(running).orElseThrow().resolve("cgroup.freeze"), "0");
      case SIGNALS -> signal("-CONT", process.pid());
    }
    frozen.remove(process);
  }

  /** Thaws the process if it is frozen, so that it can be stopped; never throws. */
  void release(Running running) {
    try {
      thaw(running);
    } catch (IOException | RuntimeException e) {
      // a stop follows anyway; its KILL still ends a SIGSTOPped process
      frozen.remove(running.process());
    }
  }

  boolean isFrozen(Running running) {
    return frozen.containsKey(running.process());
  }

  /** The memory the process held when it was frozen; 0 if it is not frozen. */
  long frozenBytes(Running running) {
    return frozen.getOrDefault(running.process(), 0L);
  }

  /** The mode for this process: a cgroup freezer only where its group has one. */
  private Mode modeFor(Running running) {
    if (mode == Mode.CGROUP_V1 && running.group().dir(CgroupsV1.FREEZER).isPresent()) {
      return Mode.CGROUP_V1;
    }
    if (mode == Mode.CGROUP_V2 && v2Dir(running).isPresent()) {
      return Mode.CGROUP_V2;
    }
    return Mode.SIGNALS;
  }

  /** The process's v2 group (one directory for every controller), if it has one with {@code cgroup.freeze}. */
  private static Optional<Path> v2Dir(Running running) {
    for (String controller : Cgroups.CONTROLLERS) {
      Optional<Path> dir = running.group().dir(controller);
      if (dir.isPresent() && Files.exists(dir.get().resolve("cgroup.freeze"))) {
        return dir;
      }
    }
    return Optional.empty();
  }

  /** Waits (briefly) until the kernel reports that every task of the group is frozen. */
  private static void awaitFile(Path file, String wanted) throws IOException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
    while (!Files.readString(file, StandardCharsets.US_ASCII).contains(wanted)) {
      if (System.nanoTime() > deadline) {
        throw new IOException(file + " did not reach '" + wanted + "' within 2 s");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while freezing", e);
      }
    }
  }

  /** Waits (briefly) until {@code /proc/<pid>/stat} shows the process stopped ('T'). */
  private static void awaitStopped(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
    while (true) {
      String line = Files.readString(stat, StandardCharsets.US_ASCII);
      if (line.charAt(line.lastIndexOf(')') + 2) == 'T') {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("workerd pid " + pid + " did not stop within 2 s of SIGSTOP");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while freezing", e);
      }
    }
  }

  private static void signal(String signal, long pid) throws IOException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).redirectErrorStream(true).start();
    try {
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IOException("kill " + signal + " " + pid + " did not return within 5 s");
      }
      if (kill.exitValue() != 0) {
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        throw new IOException("kill " + signal + " " + pid + " exited with " + kill.exitValue() + ": " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending " + signal + " to " + pid, e);
    }
  }

  /** Thaws every frozen group among {@code groups} (a previous run's), so that their processes can be killed. */
  static void thawGroups(java.util.List<Path> groups) {
    for (Path group : groups) {
      try {
        if (Files.exists(group.resolve("freezer.state"))) {
          Cgroups.write(group.resolve("freezer.state"), "THAWED");
        } else if (Files.exists(group.resolve("cgroup.freeze"))) {
          Cgroups.write(group.resolve("cgroup.freeze"), "0");
        }
      } catch (IOException e) {
        // the group is removed in the background, and a failure to remove it is logged there
      }
    }
  }

  /** RssAnon + RssShmem of {@code /proc/<pid>/status}, in bytes; 0 if it cannot be read. */
  static long heldBytes(long pid) {
    try {
      long kb = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("RssAnon:") || line.startsWith("RssShmem:")) {
          kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return kb * 1024;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
