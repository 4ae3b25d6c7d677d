package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Scaling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several replicas of one version: one real workerd process each, with its own directory and port. */
class WorkerdReplicasTest {

  private static final Duration DEADLINE = Duration.ofSeconds(15);
  /** Each process answers with an id of its own, drawn at its first request (workerd refuses randomness at load). */
  private static final String CODE = "let id;\n"
      + "addEventListener('fetch', e => e.respondWith(new Response(id ??= crypto.randomUUID())));";

  @TempDir
  Path dataDir;

  WorkerdProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private FunctionSpec deployed() throws Exception {
    provider = TestWorkerd.builder(dataDir).drainPeriod(Duration.ofMillis(200)).build();
    FunctionSpec spec = FunctionSpec.builder("many").version("v1").code(CODE).scaling(Scaling.of(0, 3, 1)).build();
    provider.deploy(spec);
    return spec;
  }

  private static Set<String> ids(List<Endpoint> endpoints) throws Exception {
    Set<String> ids = new HashSet<>();
    for (Endpoint endpoint : endpoints) {
      ids.add(TestWorkerd.get(endpoint, "/").body());
    }
    return ids;
  }

  private List<Path> versionDirs() throws Exception {
    try (Stream<Path> dirs = Files.list(dataDir.resolve("many"))) {
      return dirs.filter(Files::isDirectory).sorted().toList();
    }
  }

  @Test
  void scaleStartsOneProcessPerReplicaEachOnItsOwnPort() throws Exception {
    FunctionSpec spec = deployed();
    FunctionRef ref = spec.ref();

    provider.scale(ref, 3);

    List<Endpoint> endpoints = provider.endpoints(ref);
    assertThat(endpoints).as("three replicas").hasSize(3).doesNotHaveDuplicates();
    assertThat(ids(endpoints)).as("three processes, each with its own module-level id").hasSize(3);
    assertThat(provider.status(ref).readyReplicas()).isEqualTo(3);
    assertThat(provider.status(ref).replicas()).isEqualTo(3);
    assertThat(versionDirs()).extracting(p -> p.getFileName().toString())
        .as("a directory per process").containsExactly("v1", "v1.r1", "v1.r2");
    assertThat(provider.endpoint(ref)).as("the first replica").contains(endpoints.get(0));
  }

  @Test
  void aLowerCountTakesReplicasAwayAtOnceAndStopsThemAfterTheDrain() throws Exception {
    FunctionSpec spec = deployed();
    FunctionRef ref = spec.ref();
    provider.scale(ref, 3);
    Endpoint first = provider.endpoints(ref).get(0);

    provider.scale(ref, 1);

    assertThat(provider.endpoints(ref)).as("only the first replica serves").containsExactly(first);
    assertThat(Processes.await(DEADLINE, () -> Processes.workerdDescendants().size() == 1))
        .as("the two others are stopped after the drain period").isTrue();
    assertThat(Processes.await(DEADLINE, () -> {
      try {
        return versionDirs().size() == 1;
      } catch (Exception e) {
        return false;
      }
    })).as("and their directories deleted").isTrue();
  }

  @Test
  void aKilledReplicaIsReplacedByTheNextScale() throws Exception {
    FunctionSpec spec = deployed();
    FunctionRef ref = spec.ref();
    provider.scale(ref, 2);
    Set<String> before = ids(provider.endpoints(ref));
    long extraPid = Processes.workerdDescendants().stream().mapToLong(ProcessHandle::pid)
        .filter(pid -> pid != provider.pid(ref).orElseThrow()).findFirst().orElseThrow();

    ProcessHandle.of(extraPid).orElseThrow().destroyForcibly();
    assertThat(Processes.await(DEADLINE, () -> provider.endpoints(ref).size() == 1))
        .as("the killed replica no longer serves").isTrue();
    provider.scale(ref, 2);

    List<Endpoint> after = provider.endpoints(ref);
    assertThat(after).hasSize(2);
    assertThat(ids(after)).as("one replica kept, one new").hasSize(2).containsAnyElementsOf(before)
        .isNotEqualTo(before);
  }

  @Test
  void anEnvUpdateReachesEveryReplica() throws Exception {
    provider = TestWorkerd.builder(dataDir).drainPeriod(Duration.ofMillis(200)).build();
    FunctionSpec.Builder greeting = FunctionSpec.builder("many").version("v1").scaling(Scaling.of(0, 2, 1))
        .code("addEventListener('fetch', e => e.respondWith(new Response(GREETING)));");
    FunctionSpec before = greeting.env("GREETING", "old").build();
    provider.deploy(before);
    provider.scale(before.ref(), 2);

    provider.updateEnv(greeting.env("GREETING", "new").build());

    List<Endpoint> endpoints = provider.endpoints(before.ref());
    assertThat(endpoints).as("as many replicas as before").hasSize(2);
    assertThat(ids(endpoints)).as("every replica has the new value").containsExactly("new");
  }

  @Test
  void scaleToZeroStopsEveryReplica() throws Exception {
    FunctionSpec spec = deployed();
    provider.scale(spec.ref(), 3);

    provider.scale(spec.ref(), 0);

    assertThat(provider.endpoints(spec.ref())).isEmpty();
    assertThat(Processes.workerdDescendants()).as("no process left").isEmpty();
  }
}
