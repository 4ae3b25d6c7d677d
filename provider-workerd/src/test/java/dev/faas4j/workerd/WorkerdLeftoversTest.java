package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.workerd.internal.Cgroups;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a provider does with a data dir that a crashed earlier run left behind. */
@SuppressWarnings("try") // providers are opened in try blocks for their side effects and closing
class WorkerdLeftoversTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;

  @Test
  void aNewProviderKillsTheProcessesOfACrashedRun() throws Exception {
    Process gateway = startGateway("ready");
    long orphan = -1;
    try {
      orphan = Long.parseLong(readLine(gateway, "PID ").substring(4).trim());
      gateway.destroyForcibly();
      gateway.waitFor();
      assertThat(Processes.isRunning(orphan)).as("workerd %d outlived its crashed gateway", orphan).isTrue();

      try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
        long pid = orphan;
        assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
            .as("leftover workerd %d after a new provider started", pid).isTrue();
        assertThat(Files.exists(dataDir.resolve("orphan"))).as("leftover version dir").isFalse();
      }
    } finally {
      gateway.destroyForcibly();
      if (orphan > 0) {
        ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /**
   * Leftovers are killed at once, not stopped gracefully one after another. They are stopped
   * (SIGSTOP) here, so a graceful SIGTERM would never end them: only SIGKILL does, and the test's
   * timeout fails a provider that waits for a graceful stop (the grace period is an hour).
   */
  @Test
  @Timeout(120)
  void aNewProviderKillsEveryLeftoverAtOnceEvenOnesThatWouldNotStopGracefully() throws Exception {
    Process gateway = startGateway("ready-6");
    List<Long> orphans = new ArrayList<>();
    try {
      for (String pid : readLine(gateway, "PIDS ").substring(5).trim().split(" ")) {
        orphans.add(Long.parseLong(pid));
      }
      gateway.destroyForcibly();
      gateway.waitFor();
      for (long pid : orphans) {
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor())
            .as("SIGSTOP to leftover %d", pid).isZero();
      }

      try (WorkerdProvider provider = WorkerdProvider.builder().binary(TestWorkerd.binary()).dataDir(dataDir)
          .stopGracePeriod(Duration.ofHours(1)).build()) {
        for (long pid : orphans) {
          assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
              .as("stopped leftover workerd %d after a new provider started", pid).isTrue();
        }
        assertThat(dataDir.resolve("orphan0")).as("leftover function dir").doesNotExist();
      }
    } finally {
      gateway.destroyForcibly();
      orphans.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void aJvmKilledWhileWorkerdIsStartingLeavesItRecordedForTheNextProvider() throws Exception {
    Process gateway = startGateway("starting");
    List<ProcessHandle> starting = List.of();
    try {
      readLine(gateway, "STARTING");
      starting = gateway.descendants()
          .filter(p -> p.info().commandLine().map(c -> c.contains("workerd")).orElse(false)).toList();
      assertThat(starting).as("workerd processes of the child, whose function is still starting").hasSize(1);
      long pid = starting.get(0).pid();
      gateway.destroyForcibly();
      gateway.waitFor();
      assertThat(Processes.isRunning(pid)).as("workerd %d outlived its crashed gateway", pid).isTrue();

      // Its function spins, so workerd would ignore SIGTERM: a leftover gets SIGKILL.
      try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
        assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
            .as("workerd %d, spawned but never ready, after a new provider started on the data dir", pid).isTrue();
      }
    } finally {
      gateway.destroyForcibly();
      starting.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aNewProviderRemovesTheCgroupsOfACrashedRun() throws Exception {
    TestCgroups.require(dataDir);
    Process gateway = startGateway("limited");
    long orphan = -1;
    try {
      String[] line = readLine(gateway, "PID ").split(" ");
      orphan = Long.parseLong(line[1]);
      List<Path> groups = List.of(Path.of(line[3]), Path.of(line[4]), Path.of(line[5]));
      gateway.destroyForcibly();
      gateway.waitFor();
      assertThat(groups).as("cgroups of workerd %d after its gateway crashed", orphan).allMatch(Files::isDirectory);

      try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
        // The same version again, at once, while the leftover's groups wait for it to exit: the new
        // process gets groups of its own, which the background removal leaves alone.
        FunctionSpec again = FunctionSpec.builder("orphan").version("v1")
            .code("addEventListener('fetch', e => e.respondWith(new Response('again')));")
            .limits(new Limits(64L << 20, 1, 64, null)).build();
        provider.deploy(again);
        Path newGroup = provider.cgroupDir(again.ref(), "memory").orElseThrow();
        assertThat(newGroup).as("the new process's memory group").isNotIn(groups);

        long pid = orphan;
        assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid))).as("leftover workerd %d", pid).isTrue();
        assertThat(Processes.await(DEADLINE, () -> groups.stream().noneMatch(Files::exists)))
            .as("leftover cgroups %s removed in the background", groups).isTrue();
        assertThat(newGroup).as("the new process's group after the leftovers' were removed").isDirectory();
        assertThat(provider.status(again.ref()).state()).isEqualTo(VersionStatus.State.RUNNING);
      }
      assertThat(groups.stream().map(Path::getParent).distinct())
          .as("the provider's cgroup directories after close").noneMatch(Files::exists);
    } finally {
      gateway.destroyForcibly();
      if (orphan > 0) {
        ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /**
   * Before leftovers are killed they move to a sibling of the provider's cpu group with a CPU weight
   * of 2 (cgroup v1), so that their exit does not slow the new run; the group goes with them.
   */
  @Test
  void leftoversAreGivenNextToNoCpuWeightBeforeTheyAreKilled() throws Exception {
    TestCgroups.require(dataDir);
    Cgroups cgroups = Cgroups.detect(dataDir.resolve("low-weight"), null);
    Process leftover = new ProcessBuilder("sleep", "60").start();
    try {
      Optional<Path> exiting = cgroups.deprioritize(List.of(leftover.pid()));
      if (!cgroups.describe().startsWith("cgroup v1")) {
        assertThat(exiting).as("cgroup v2 has no such group (documented)").isEmpty();
        return;
      }
      Path group = exiting.orElseThrow();
      assertThat(TestCgroups.read(group.resolve("cpu.shares"))).isEqualTo("2");
      assertThat(Files.readAllLines(Path.of("/proc", Long.toString(leftover.pid()), "cgroup")))
          .as("the leftover's cpu group").anyMatch(line -> line.matches("\\d+:[^:]*\\bcpu\\b[^:]*:.*")
              && line.endsWith("/" + group.getFileName()));
      leftover.destroyForcibly().waitFor();
      assertThat(cgroups.removeLeftovers(List.of(group))).containsExactly(group);
      assertThat(group).doesNotExist();
      // one a run left behind (killed while its leftovers exited) goes when the next finds none
      Files.createDirectory(group);
      assertThat(cgroups.deprioritize(List.of())).isEmpty();
      assertThat(group).doesNotExist();
    } finally {
      leftover.destroyForcibly();
      cgroups.close();
    }
  }

  @Test
  void aNewProviderKillsAFrozenLeftover() throws Exception {
    Process gateway = startGateway("frozen");
    long orphan = -1;
    try {
      orphan = Long.parseLong(readLine(gateway, "PID ").substring(4).trim());
      gateway.destroyForcibly();
      gateway.waitFor();

      try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
        long pid = orphan;
        assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
            .as("frozen leftover workerd %d (a frozen cgroup holds SIGKILL back until it is thawed)", pid).isTrue();
      }
    } finally {
      gateway.destroyForcibly();
      if (orphan > 0) {
        ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void aNormalJvmExitStopsWorkerdThroughTheShutdownHook() throws Exception {
    Process gateway = startGateway("ready");
    long orphan = -1;
    try {
      orphan = Long.parseLong(readLine(gateway, "PID ").substring(4).trim());

      gateway.getOutputStream().close(); // the child exits with System.exit(0), without close()
      gateway.waitFor();

      long pid = orphan;
      assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
          .as("workerd %d after its JVM exited normally", pid).isTrue();
    } finally {
      gateway.destroyForcibly();
      if (orphan > 0) {
        ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /**
   * The spare shell a provider keeps ready joins its cgroups ahead of time and waits on a pipe from
   * the JVM: a JVM killed with SIGKILL closes that pipe, and the shell exits by itself (the next
   * provider removes its group with the other leftover groups).
   */
  @Test
  void theSpareShellOfAKilledJvmExitsByItself() throws Exception {
    TestCgroups.require(dataDir);
    Process gateway = startGateway("ready");
    try {
      readLine(gateway, "PID ");
      assertThat(Processes.await(DEADLINE, () -> !SpareShells.in(dataDir).isEmpty()))
          .as("the child's provider made a spare shell").isTrue();
      List<Long> spares = SpareShells.in(dataDir);

      gateway.destroyForcibly();
      gateway.waitFor();

      assertThat(Processes.await(DEADLINE, () -> SpareShells.in(dataDir).isEmpty()))
          .as("spare shells %s after their JVM was killed", spares).isTrue();
    } finally {
      gateway.destroyForcibly();
      SpareShells.in(dataDir).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
        // clears the child's workerd and groups
      }
    }
  }

  private Process startGateway(String mode) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        LeftoverMain.class.getName(), TestWorkerd.binary().toString(), dataDir.toString(), mode)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** The first line the child prints that starts with {@code prefix}. */
  private static String readLine(Process gateway, String prefix) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith(prefix)) {
      // skip anything else the child prints
    }
    assertThat(line).as("the child gateway printed a line starting with '%s'", prefix).isNotNull();
    return line;
  }

  @Test
  void aPidFileOfAnUnrelatedProcessDoesNotKillIt() throws Exception {
    Process unrelated = new ProcessBuilder("cat").start();
    try {
      Path versionDir = Files.createDirectories(dataDir.resolve("stale").resolve("v1"));
      Files.writeString(versionDir.resolve(".faas4j-workerd"), "stale:v1\n");
      Files.writeString(versionDir.resolve("workerd.pid"), Long.toString(unrelated.pid()));

      try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
        assertThat(unrelated.isAlive()).as("a process that does not run this dir's config").isTrue();
        assertThat(Files.exists(versionDir)).as("stale version dir removed").isFalse();
      }
    } finally {
      unrelated.destroyForcibly();
      unrelated.waitFor();
    }
  }

  @Test
  void leftoverDirectoriesAreMovedAsideAtOnceAndDeletedInTheBackground() throws Exception {
    Path versionDir = Files.createDirectories(dataDir.resolve("old").resolve("v1"));
    Files.writeString(versionDir.resolve(".faas4j-workerd"), "old:v1\n");
    Path halfCleared = Files.createDirectories(dataDir.resolve(".leftovers").resolve("older.v1.0"));
    Files.writeString(halfCleared.resolve("code.js"), "left by a run that crashed while clearing");

    try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
      assertThat(versionDir).as("moved aside before the provider serves").doesNotExist();
      assertThat(Processes.await(DEADLINE, () -> !Files.exists(dataDir.resolve(".leftovers"))))
          .as("the trash, the earlier one's included, is deleted in the background").isTrue();
    }
  }

  @Test
  void filesThisProviderDidNotWriteAreKept() throws Exception {
    Path foreign = Files.createDirectories(dataDir.resolve("notes").resolve("v1"));
    Files.writeString(foreign.resolve("readme.txt"), "mine");

    try (WorkerdProvider provider = TestWorkerd.builder(dataDir).build()) {
      assertThat(foreign.resolve("readme.txt")).as("an unmarked directory is left alone").exists();
    }
  }

  @Test
  void twoProvidersCannotShareADataDir() {
    try (WorkerdProvider first = TestWorkerd.builder(dataDir).build()) {
      assertThatThrownBy(() -> TestWorkerd.builder(dataDir).build())
          .as("second provider on %s", dataDir)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another running WorkerdProvider");
    }
    try (WorkerdProvider again = TestWorkerd.builder(dataDir).build()) {
      assertThat(again.dataDir()).as("the dir is free again after close").isEqualTo(dataDir.toAbsolutePath());
    }
  }
}
