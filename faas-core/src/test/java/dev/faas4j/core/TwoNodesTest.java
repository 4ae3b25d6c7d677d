package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus.State;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (two {@link Faas} with their own in-memory provider, as two application instances
 * with their own workerd) sharing one store: what one node changes, the other serves once it has
 * followed the store's feed, which these tests apply by hand ({@code syncInterval} zero) unless
 * they say otherwise.
 */
class TwoNodesTest {

  private final List<Node> nodes = new ArrayList<>();

  /** One application instance: its own provider and HTTP server on the shared store. */
  private record Node(Faas faas, InMemoryProvider provider, JettyHarness http) {
    String call(String host) throws Exception {
      return http.call(host);
    }

    State state(String name, String version) {
      return faas.describe(name).versions().stream().filter(v -> v.version().equals(version))
          .findFirst().orElseThrow().state();
    }
  }

  private Node node(InMemoryStore store, Duration syncInterval, boolean keepLatestWarm) throws Exception {
    InMemoryProvider provider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
    Faas faas = Faas.builder()
        .provider(provider)
        .store(store)
        .maintenanceInterval(Duration.ZERO)
        .syncInterval(syncInterval)
        .keepLatestWarm(keepLatestWarm)
        .build();
    Node node = new Node(faas, provider, new JettyHarness(faas));
    nodes.add(node);
    return node;
  }

  private Node node(InMemoryStore store) throws Exception {
    return node(store, Duration.ZERO, true);
  }

  @AfterEach
  void closeNodes() throws Exception {
    for (Node node : nodes) {
      node.http().close();
    }
  }

  private static FunctionSpec version(String name, String version, String body) {
    return FunctionSpec.builder(name).runtime(InMemoryProvider.RUNTIME).version(version).code(body).build();
  }

  @Test
  void aNewLatestDeployedOnOneNodeIsServedByTheOther() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store);
    a.faas().deploy(version("hello", "v1", "one"), null);
    assertThat(b.call("hello.func.local")).isEqualTo("one");

    a.faas().deploy(version("hello", "v2", "two"), null);
    b.faas().syncWithStore();

    assertThat(b.call("hello.func.local")).as("B serves the latest A deployed").isEqualTo("two");
  }

  @Test
  void aRollbackAndAnAliasMovedOnOneNodeSwitchTheOther() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store);
    a.faas().deploy(version("hello", "v1", "one"), null);
    a.faas().deploy(version("hello", "v2", "two"), "test");
    assertThat(b.call("hello.func.local")).isEqualTo("two");
    assertThat(b.call("test.hello.func.local")).isEqualTo("two");

    a.faas().rollback("hello", "v1", null);
    a.faas().setAlias("hello", "test", "v1");
    b.faas().syncWithStore();

    assertThat(b.call("hello.func.local")).as("latest after the rollback on A").isEqualTo("one");
    assertThat(b.call("test.hello.func.local")).as("alias after the move on A").isEqualTo("one");
  }

  @Test
  void aFunctionDeletedOnOneNodeIsNotFoundOnTheOtherAndItsInstanceThereIsRemoved() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store);
    a.faas().deploy(version("hello", "v1", "one"), null);
    assertThat(b.call("hello.func.local")).isEqualTo("one");
    FunctionRef v1 = new FunctionRef("hello", "v1");
    assertThat(b.provider().isRunning(v1)).isTrue();

    a.faas().deleteFunction("hello");
    b.faas().syncWithStore();

    assertThat(b.http().get("hello.func.local", "/").statusCode()).as("B after the delete on A").isEqualTo(404);
    assertThat(b.provider().isRunning(v1)).as("B's instance of the deleted version").isFalse();
    assertThat(b.faas().list()).as("B lists nothing").isEmpty();
  }

  @Test
  void aVersionDeletedOnOneNodeIsRemovedOnTheOther() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store);
    a.faas().deploy(version("hello", "v1", "one"), null);
    a.faas().deploy(version("hello", "v2", "two"), null);
    assertThat(b.call("v1.hello.func.local")).isEqualTo("one");

    a.faas().deleteVersion("hello", "v1", false);
    b.faas().syncWithStore();

    assertThat(b.http().get("v1.hello.func.local", "/").statusCode()).isEqualTo(404);
    assertThat(b.provider().isRunning(new FunctionRef("hello", "v1"))).isFalse();
    assertThat(b.call("hello.func.local")).isEqualTo("two");
  }

  @Test
  void aVersionStoppedOnOneNodeIsStoppedOnTheOther() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store);
    a.faas().deploy(version("hello", "v1", "one"), null);
    assertThat(b.call("hello.func.local")).isEqualTo("one");
    assertThat(b.state("hello", "v1")).isEqualTo(State.RUNNING);

    a.faas().stop("hello", "v1");
    b.faas().syncWithStore();

    assertThat(b.state("hello", "v1")).as("B's instance after the stop on A").isEqualTo(State.STOPPED);
    assertThat(b.provider().isRunning(new FunctionRef("hello", "v1"))).isFalse();
    assertThat(b.call("hello.func.local")).as("the next request starts it again").isEqualTo("one");
  }

  @Test
  void aNodeListsAndDescribesWhatAnotherDeployedWithoutWaitingForItsPoll() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store);

    b.faas().deploy(version("other", "v1", "x"), null);
    a.faas().deploy(version("hello", "v1", "one"), null);
    a.faas().deploy(version("hello", "v2", "two"), null);

    assertThat(a.faas().list()).extracting(FunctionInfo::name).containsExactly("hello", "other");
    assertThat(b.faas().list()).extracting(FunctionInfo::name).containsExactly("hello", "other");
    assertThat(b.faas().describe("hello").latest()).isEqualTo("v2");
  }

  @Test
  void aNodeDoesNotUndoItsOwnChangesWhenTheyComeBackThroughTheFeed() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    a.faas().deploy(version("hello", "v1", "one"), null);
    FunctionRef v1 = new FunctionRef("hello", "v1");
    a.faas().stop("hello", "v1");
    assertThat(a.call("hello.func.local")).isEqualTo("one"); // restarted by this request

    a.faas().syncWithStore();

    assertThat(a.provider().isRunning(v1)).as("its own stop, applied again, would stop it").isTrue();
    assertThat(a.provider().starts(v1)).isEqualTo(2);
  }

  @Test
  void aNodeThatFellBehindTheFeedReloadsEverything() throws Exception {
    InMemoryStore store = new InMemoryStore(2, java.time.Clock.systemUTC());
    Node a = node(store);
    Node b = node(store);
    a.faas().deploy(version("gone", "v1", "g"), null);
    a.faas().deploy(version("hello", "v1", "one"), null);
    assertThat(b.call("gone.func.local")).isEqualTo("g");
    assertThat(b.call("hello.func.local")).isEqualTo("one");

    a.faas().deleteFunction("gone");
    a.faas().deploy(version("hello", "v2", "two"), "test");
    a.faas().deploy(version("more", "v1", "m"), null);
    b.faas().syncWithStore(); // the feed no longer holds the changes after B's revision

    assertThat(b.http().get("gone.func.local", "/").statusCode()).isEqualTo(404);
    assertThat(b.provider().isRunning(new FunctionRef("gone", "v1"))).isFalse();
    assertThat(b.call("hello.func.local")).isEqualTo("two");
    assertThat(b.call("test.hello.func.local")).isEqualTo("two");
    assertThat(b.faas().list()).extracting(FunctionInfo::name).containsExactly("hello", "more");
  }

  @Test
  void inTheBackgroundTheOtherNodeSwitchesWithoutFailingARequest() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store, Duration.ofMillis(50), true);
    Node b = node(store, Duration.ofMillis(50), false);
    a.faas().deploy(version("hello", "v1", "v1"), null);
    assertThat(b.call("hello.func.local")).isEqualTo("v1");
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        loops.add(callers.submit(() -> {
          while (running.get()) {
            HttpResponse<String> response = b.http().get("hello.func.local", "/");
            if (response.statusCode() != 200) {
              failures.add(response.statusCode() + " " + response.body());
            }
          }
          return null;
        }));
      }
      for (int v = 2; v <= 5; v++) {
        a.faas().deploy(version("hello", "v" + v, "v" + v), null);
        String expected = "v" + v;
        await(() -> expected.equals(quietCall(b, "hello.func.local")), "B serves " + expected);
      }
      a.faas().rollback("hello", "v3", null);
      await(() -> "v3".equals(quietCall(b, "hello.func.local")), "B serves v3 after the rollback");
      running.set(false);
      for (Future<?> loop : loops) {
        loop.get();
      }
    } finally {
      running.set(false);
      callers.shutdownNow();
    }
    assertThat(failures).as("requests to B while A moved the latest five times").isEmpty();
  }

  @Test
  void aRequestForANewLatestWaitsForItsStartOnTheOtherNode() throws Exception {
    InMemoryStore store = new InMemoryStore();
    Node a = node(store);
    Node b = node(store, Duration.ZERO, false);
    a.faas().deploy(version("hello", "v1", "one"), null);
    assertThat(b.call("hello.func.local")).isEqualTo("one");
    a.faas().deploy(version("hello", "v2", "two"), null);
    b.faas().syncWithStore();
    b.provider().holdStarts();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<String> answer = caller.submit(() -> b.call("hello.func.local"));
      await(() -> b.provider().heldStarts() == 1, "v2 starting on B");
      assertThat(answer).isNotDone();

      b.provider().releaseStarts();

      assertThat(answer.get()).as("the request waited for v2 rather than failing").isEqualTo("two");
    } finally {
      b.provider().releaseStarts();
      caller.shutdownNow();
    }
  }

  private static String quietCall(Node node, String host) {
    try {
      return node.call(host);
    } catch (Exception | AssertionError e) {
      return e.toString();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(5);
    }
  }
}
