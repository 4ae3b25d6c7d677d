package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Limits;
import dev.faas4j.workerd.internal.Cgroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The groups of this machine's real cgroup hierarchy, without a process in them. */
class CgroupGroupsTest {

  @TempDir
  Path dataDir;

  Cgroups cgroups;

  @BeforeEach
  void open() {
    TestCgroups.require(dataDir);
    cgroups = Cgroups.detect(dataDir, null);
  }

  @AfterEach
  void close() {
    cgroups.close();
  }

  /**
   * A version restarted at once: the old process's group may still be being removed (the kernel
   * answers EBUSY for a moment after the process is reaped) while the new process's group is made.
   * Were they one directory, that removal would delete the group the new process is about to join.
   */
  @Test
  void twoProcessesOfOneVersionGetTheirOwnGroupsAndRemovingTheOldLeavesTheNew() throws Exception {
    Limits limits = new Limits(64L << 20, 0.5, 32, null);
    Cgroups.Group old = cgroups.create("hello", "v1", limits);
    Cgroups.Group successor = cgroups.create("hello", "v1", limits);
    for (String controller : Cgroups.CONTROLLERS) {
      Path oldDir = old.dir(controller).orElseThrow();
      Path newDir = successor.dir(controller).orElseThrow();
      assertThat(newDir).as(controller).isNotEqualTo(oldDir);
      assertThat(newDir.getFileName().toString()).startsWith("hello.v1.");
      assertThat(oldDir).as("the old group is left alone by its successor's creation").isDirectory();
    }

    old.remove();

    for (String controller : Cgroups.CONTROLLERS) {
      assertThat(old.dir(controller).orElseThrow()).doesNotExist();
      assertThat(successor.dir(controller).orElseThrow()).isDirectory();
      assertThat(successor.procsFiles()).allSatisfy(file -> assertThat(Files.isRegularFile(file)).isTrue());
    }
    successor.remove();
    assertThat(successor.dir("memory").orElseThrow()).doesNotExist();
  }

  /**
   * A process's exit callback and a stop both remove its group. The kernel refuses the removal while
   * the process is still in the group, so the first caller retries; the second must not return
   * before the group is gone (a stop that returned early left the directories for a moment).
   */
  @Test
  void aSecondRemovalReturnsOnlyOnceTheGroupIsGone() throws Exception {
    Cgroups.Group group = cgroups.create("busy", "v1", Limits.NONE);
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      for (Path procs : group.procsFiles()) {
        Files.writeString(procs, Long.toString(sleeper.pid()));
      }
      List<Path> dirs = Cgroups.CONTROLLERS.stream().map(c -> group.dir(c).orElseThrow()).distinct().toList();
      ExecutorService removers = Executors.newFixedThreadPool(2);
      try {
        Callable<Boolean> removeThenLook = () -> {
          group.remove();
          return dirs.stream().anyMatch(Files::exists);
        };
        Future<Boolean> first = removers.submit(removeThenLook);
        Future<Boolean> second = removers.submit(removeThenLook);
        Thread.sleep(300); // both are in remove() now; the group still holds the process
        sleeper.destroyForcibly().waitFor();
        assertThat(first.get(30, TimeUnit.SECONDS)).as("a group directory left when one removal returned").isFalse();
        assertThat(second.get(30, TimeUnit.SECONDS)).as("a group directory left when the other returned").isFalse();
      } finally {
        removers.shutdownNow();
      }
    } finally {
      sleeper.destroyForcibly().waitFor();
    }
  }
}
