package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.VersionStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory, CPU and pids limits of real workerd processes, enforced by real cgroups of this machine. */
class WorkerdLimitsTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final long MIB = 1L << 20;
  private static final String CODE = """
      addEventListener('fetch', e => {
        const path = new URL(e.request.url).pathname;
        if (path === '/grow') {
          const kept = [];
          for (let i = 0; i < 1024; i++) {
            const buffer = new ArrayBuffer(1 << 20);
            new Uint8Array(buffer).fill(7);
            kept.push(buffer);
          }
          e.respondWith(new Response('grew ' + kept.length + ' MiB'));
        } else if (path === '/spin') {
          for (;;) {}
        } else {
          e.respondWith(new Response('ok'));
        }
      });
      """;

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

  private static FunctionSpec limited(String version, Limits limits) {
    return FunctionSpec.builder("limited").version(version).code(CODE).limits(limits).build();
  }

  private Path group(FunctionRef ref, String controller) {
    return provider.cgroupDir(ref, controller)
        .orElseThrow(() -> new AssertionError("no " + controller + " cgroup for " + ref));
  }

  @Test
  void aFunctionOverItsMemoryLimitIsKilledInsteadOfGrowingAndItsVersionRestarts() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = limited("v1", new Limits(64 * MIB, 0, 0, null));
    provider.deploy(spec);
    FunctionRef ref = spec.ref();
    Path memory = group(ref, "memory");
    assertThat(TestCgroups.read(TestCgroups.either(memory, "memory.limit_in_bytes", "memory.max")))
        .as("the memory limit written for memory_mb 64").isEqualTo(Long.toString(64 * MIB));

    long pid = provider.pid(ref).orElseThrow();
    AtomicLong maxRss = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (Processes.isRunning(pid)) {
        TestCgroups.rss(pid).ifPresent(rss -> maxRss.accumulateAndGet(rss, Math::max));
        LockSupport.parkNanos(1_000_000); // sample every millisecond or so, leaving the cores to workerd
      }
    }, "rss-sampler");
    sampler.start();
    String answer;
    try {
      HttpResponse<String> response = TestWorkerd.get(provider.endpoint(ref).orElseThrow(), "/grow");
      answer = response.statusCode() + " " + response.body();
    } catch (java.io.IOException e) {
      answer = e.toString();
    }
    assertThat(answer).as("a request that allocates 1 GiB under a 64 MiB limit").doesNotContain("grew");
    assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
        .as("workerd %d, killed by the kernel's OOM killer", pid).isTrue();
    sampler.join();
    // RSS also counts the shared pages of the 160 MB binary that another group paid for: allow 64 MiB.
    assertThat(maxRss.get()).as("highest RSS seen of workerd under a 64 MiB limit").isLessThan(128 * MIB);
    assertThat(Processes.await(DEADLINE, () -> provider.status(ref).detail().contains("exited unexpectedly")))
        .as("the exit is reported as a crash: %s", provider.status(ref)).isTrue();

    provider.scale(ref, 1);
    assertThat(TestWorkerd.get(provider.endpoint(ref).orElseThrow(), "/").body()).as("after a restart").isEqualTo("ok");
    assertThat(provider.pid(ref).orElseThrow()).as("a new process").isNotEqualTo(pid);
  }

  @Test
  void aBusyLoopIsHeldToItsCpusLimitAndThePidsLimitIsWritten() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = limited("v1", new Limits(0, 0.5, 32, null));
    provider.deploy(spec);
    FunctionRef ref = spec.ref();
    Path cpu = group(ref, "cpu");
    Path pids = group(ref, "pids");
    if (Files.exists(cpu.resolve("cpu.cfs_quota_us"))) {
      assertThat(TestCgroups.read(cpu.resolve("cpu.cfs_quota_us"))).as("v1 quota per period").isEqualTo("50000");
      assertThat(TestCgroups.read(cpu.resolve("cpu.cfs_period_us"))).as("v1 period").isEqualTo("100000");
    } else {
      assertThat(TestCgroups.read(cpu.resolve("cpu.max"))).as("v2 cpu.max").isEqualTo("50000 100000");
    }
    assertThat(TestCgroups.read(pids.resolve("pids.max"))).as("pids limit").isEqualTo("32");

    long pid = provider.pid(ref).orElseThrow();
    Endpoint.Http http = (Endpoint.Http) provider.endpoint(ref).orElseThrow();
    HttpClient client = HttpClient.newHttpClient();
    CompletableFuture<HttpResponse<String>> spinning = client.sendAsync(
        HttpRequest.newBuilder(http.baseUri().resolve("/spin")).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    try {
      // Wait until the loop runs, then measure CPU time against wall time over two seconds.
      assertThat(Processes.await(DEADLINE, () -> TestCgroups.cpuTime(pid).toMillis() > 200))
          .as("workerd %d started spinning", pid).isTrue();
      Duration cpuBefore = TestCgroups.cpuTime(pid);
      long wallBefore = System.nanoTime();
      Processes.await(Duration.ofSeconds(2), () -> false);
      double cores = (double) TestCgroups.cpuTime(pid).minus(cpuBefore).toNanos() / (System.nanoTime() - wallBefore);
      assertThat(cores).as("cores used by a busy loop limited to cpus 0.5").isLessThan(0.75);
      // On a busy machine the scheduler may give the loop less than its quota, and then the kernel
      // has nothing to throttle; a loop that got its quota's worth must have been throttled.
      String stat = TestCgroups.read(cpu.resolve("cpu.stat"));
      if (cores > 0.4) {
        assertThat(stat).as("cpu.stat of a group that used %.2f cores: the kernel throttled it", cores)
            .containsPattern("nr_throttled [1-9]");
      }
    } finally {
      spinning.cancel(true);
      provider.scale(ref, 0); // SIGTERM cannot end a busy loop: this ends with SIGKILL after the grace
    }
  }

  private List<Path> groups(FunctionRef ref) {
    return List.of(group(ref, "memory"), group(ref, "cpu"), group(ref, "pids"));
  }

  @Test
  void cgroupsAreRemovedAfterStopUndeployAndClose() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = limited("v1", new Limits(64 * MIB, 1, 64, null));
    provider.deploy(spec);
    FunctionRef ref = spec.ref();
    List<Path> groups = groups(ref);
    assertThat(groups).as("the version's groups while it runs").allMatch(Files::isDirectory);

    provider.scale(ref, 0);
    assertThat(groups).as("groups after scale 0").noneMatch(Files::exists);
    provider.scale(ref, 1);
    List<Path> restarted = groups(ref);
    assertThat(restarted).as("groups after scale 1").allMatch(Files::isDirectory)
        .as("a new process gets new groups").doesNotContainAnyElementsOf(groups);
    provider.undeploy(ref);
    assertThat(restarted).as("groups after undeploy").noneMatch(Files::exists);

    provider.deploy(spec);
    List<Path> redeployed = groups(ref);
    provider.close();
    assertThat(redeployed).as("groups after close").noneMatch(Files::exists);
    assertThat(redeployed.stream().map(Path::getParent).distinct())
        .as("the provider's own cgroup directories after close").noneMatch(Files::exists);
  }

  @Test
  void aCrashedProcessLeavesNoCgroup() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = limited("v1", new Limits(64 * MIB, 0, 0, null));
    provider.deploy(spec);
    Path memory = group(spec.ref(), "memory");
    long pid = provider.pid(spec.ref()).orElseThrow();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    assertThat(Processes.await(DEADLINE, () -> !Files.exists(memory))).as("group of killed workerd %d", pid).isTrue();
  }

  @Test
  void withEnforcementOffADeployWithLimitsIsRefusedAndChangesNothing() {
    provider = TestWorkerd.builder(dataDir).enforceLimits(false).build();
    for (Limits limits : List.of(new Limits(64 * MIB, 0, 0, null), new Limits(0, 0.5, 0, null),
        new Limits(0, 0, 16, null))) {
      FunctionSpec spec = limited("v1", limits);
      assertThatThrownBy(() -> provider.deploy(spec))
          .as("deploy with %s and enforceLimits(false)", limits)
          .isInstanceOfSatisfying(FaasException.class, e -> {
            assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_FUNCTION);
            assertThat(e.reason().httpStatus()).isEqualTo(422);
            assertThat(e.getMessage()).contains(limits.memoryBytes() > 0 ? "limits.memory_mb"
                : limits.cpus() > 0 ? "limits.cpus" : "limits.pids").contains("enforceLimits(false)");
          });
      assertThat(provider.status(spec.ref()).state()).as("after the refusal").isEqualTo(VersionStatus.State.STOPPED);
      assertThat(dataDir.resolve("limited")).as("no version dir after the refusal").doesNotExist();
    }
  }

  @Test
  void withoutAUsableCgroupADeployWithLimitsIsRefusedNamingTheLimitAndWhy() throws Exception {
    Path notACgroup = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-not-a-cgroup"));
    try {
      provider = TestWorkerd.builder(dataDir).cgroupRoot(notACgroup).build();
      FunctionSpec spec = limited("v1", new Limits(64 * MIB, 0, 0, null));
      assertThatThrownBy(() -> provider.deploy(spec))
          .isInstanceOfSatisfying(FaasException.class, e -> {
            assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_FUNCTION);
            assertThat(e.getMessage()).contains("limits.memory_mb").contains(notACgroup.toString())
                .contains("not a cgroup v2 directory");
          });
      assertThat(provider.endpoint(spec.ref())).as("nothing runs after the refusal").isEmpty();

      FunctionSpec timeoutOnly = limited("v2", new Limits(0, 0, 0, Duration.ofSeconds(5)));
      provider.deploy(timeoutOnly);
      assertThat(TestWorkerd.get(provider.endpoint(timeoutOnly.ref()).orElseThrow(), "/").body())
          .as("a timeout is no cgroup limit: accepted").isEqualTo("ok");
    } finally {
      Files.deleteIfExists(notACgroup);
    }
  }
}
