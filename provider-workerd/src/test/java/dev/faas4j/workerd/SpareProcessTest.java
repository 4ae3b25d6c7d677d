package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spare shell that has joined a set of cgroups ahead of the next start (real cgroups, real
 * workerd): a start takes it and gives its groups the version's limits, another is made, and none
 * outlives the provider.
 */
class SpareProcessTest {

  private static final long MIB = 1L << 20;
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  @TempDir
  Path dataDir;

  WorkerdProvider provider;

  @BeforeEach
  void requireCgroups() {
    TestCgroups.require(dataDir);
  }

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  /** The one spare shell of the provider under test, once it is there. */
  private List<Long> oneSpare(String what) throws InterruptedException {
    assertThat(Processes.await(DEADLINE, () -> SpareShells.in(dataDir).size() == 1)).as(what).isTrue();
    return SpareShells.in(dataDir);
  }

  @Test
  void aStartTakesTheSpareGivesItsGroupsTheVersionsLimitsAndAnotherSpareIsMade() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    List<Long> before = oneSpare("one spare shell is made");

    FunctionSpec spec = FunctionSpec.builder("spared").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('from the spare')))")
        .limits(new Limits(64 * MIB, 0, 16, null)).build();
    provider.deploy(spec);
    FunctionRef ref = spec.ref();

    assertThat(provider.pid(ref)).as("the spare shell became the version's workerd").contains(before.get(0));
    Path memory = provider.cgroupDir(ref, "memory").orElseThrow();
    assertThat(memory.getFileName().toString()).as("the spare's group").startsWith("spare.");
    assertThat(TestCgroups.read(TestCgroups.either(memory, "memory.limit_in_bytes", "memory.max")))
        .as("the version's memory limit, written into the spare's group").isEqualTo(Long.toString(64 * MIB));
    assertThat(TestCgroups.read(provider.cgroupDir(ref, "pids").orElseThrow().resolve("pids.max"))).isEqualTo("16");
    assertThat(Files.readString(memory.resolve("cgroup.procs")).strip())
        .as("workerd runs in it").isEqualTo(Long.toString(before.get(0)));
    assertThat(TestWorkerd.get(provider.endpoint(ref).orElseThrow(), "/").body()).isEqualTo("from the spare");
    assertThat(Processes.environmentNames(before.get(0))).as("the environment the spare gave workerd")
        .isSubsetOf(Processes.WORKERD_ENVIRONMENT).doesNotContain(Processes.TEST_SECRET);

    List<Long> next = oneSpare("the next spare is made");
    assertThat(next).as("a new shell, not the one that became workerd").doesNotContain(before.get(0));
  }

  @Test
  void closingTheProviderEndsTheSpareAndRemovesItsGroups() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    long spare = oneSpare("one spare shell is made").get(0);
    assertThat(Processes.await(DEADLINE, () -> SpareShells.memoryGroup(spare)
        .map(dir -> dir.getFileName().toString().startsWith("spare.")).orElse(false)))
        .as("the spare shell joins its spare groups").isTrue();
    Path group = SpareShells.memoryGroup(spare).orElseThrow();

    provider.close();
    provider = null;

    assertThat(ProcessHandle.of(spare).map(ProcessHandle::isAlive).orElse(false)).as("the spare shell").isFalse();
    assertThat(SpareShells.in(dataDir)).isEmpty();
    assertThat(group).as("its memory group").doesNotExist();
  }
}
