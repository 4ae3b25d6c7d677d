package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.AsyncCall.State;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The call queue of {@link JdbcFunctionStore} ({@code faas4j_calls}), run on each database. */
abstract class CallQueueContract {

  static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(30);
  JdbcFunctionStore store;

  protected abstract JdbcFunctionStore newStore() throws Exception;

  /** Another store on the same database, as another node has. */
  protected abstract JdbcFunctionStore another() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  static AsyncCall call(String id, Instant due) {
    return new AsyncCall(id, "hello", null, "POST", "/x?y=1", "Content-Type: text/plain\n",
        ("body of " + id).getBytes(StandardCharsets.UTF_8), "https://example.com/hook", State.QUEUED, 0, due, T0, T0, 0,
        "", null, "", null);
  }

  @Test
  void aCallIsStoredWholeAndTheDepthIsBounded() throws Exception {
    assertThat(store.enqueue(call("a", T0), 2)).isTrue();
    assertThat(store.enqueue(call("b", T0), 2)).isTrue();
    assertThat(store.enqueue(call("c", T0), 2)).as("beyond the depth").isFalse();

    AsyncCall a = store.call("a").orElseThrow();
    assertThat(a.toString()).isEqualTo(call("a", T0).toString());
    assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("body of a");
    assertThat(a.headers()).isEqualTo("Content-Type: text/plain\n");
    assertThat(a.callbackUrl()).isEqualTo("https://example.com/hook");
    assertThat(a.pathAndQuery()).isEqualTo("/x?y=1");
    assertThat(store.pending()).isEqualTo(2);
    assertThat(store.call("c")).isEmpty();
  }

  @Test
  void aClaimTakesDueCallsOldestFirstAndHoldsThemForTheLease() throws Exception {
    store.enqueue(call("later", T0.plusSeconds(10)), 10);
    store.enqueue(call("second", T0.minusSeconds(1)), 10);
    store.enqueue(call("first", T0.minusSeconds(2)), 10);

    assertThat(ids(store.claim("n1", 10, T0, LEASE))).containsExactly("first", "second");
    assertThat(store.claim("n2", 10, T0.plusSeconds(1), LEASE)).as("held by n1").isEmpty();
    assertThat(ids(store.claim("n2", 10, T0.plus(LEASE).plusSeconds(1), LEASE))).as("n1's lease ran out")
        .containsExactly("first", "second", "later");
    AsyncCall done = store.call("first").orElseThrow().next(State.SUCCEEDED, 1, T0, T0, "").ranOn("n2");
    assertThat(store.update(done, "n1")).as("n1 lost the claim").isFalse();
    assertThat(store.update(done, "n2")).isTrue();
    assertThat(store.call("first").orElseThrow().state()).isEqualTo(State.SUCCEEDED);
    assertThat(store.call("first").orElseThrow().node()).as("the node that ran it, kept after the claim").isEqualTo("n2");
    assertThat(store.call("second").orElseThrow().node()).as("not run yet").isNull();
    assertThat(store.pending()).isEqualTo(2);
  }

  @Test
  void aRestartedNodeReleasesItsClaimsAndFinishedCallsArePruned() throws Exception {
    store.enqueue(call("a", T0), 10);
    store.enqueue(call("b", T0), 10);
    store.claim("n1", 10, T0, LEASE);
    assertThat(store.release("n1")).isEqualTo(2);
    List<AsyncCall> again = store.claim("n1", 1, T0, LEASE);
    store.update(again.get(0).next(State.FAILED, 5, T0, T0.plusSeconds(5), "gave up"), "n1");

    assertThat(store.prune(T0.plusSeconds(1))).as("updated after the cut").isZero();
    assertThat(store.prune(T0.plusSeconds(6))).isEqualTo(1);
    assertThat(store.call(again.get(0).id())).isEmpty();
    assertThat(store.pending()).isEqualTo(1);
  }

  @Test
  void callsSurviveANewStoreOnTheSameDatabase() throws Exception {
    store.enqueue(call("kept", T0), 10);
    try (JdbcFunctionStore next = another()) {
      assertThat(ids(next.claim("n2", 10, T0, LEASE))).containsExactly("kept");
    }
  }

  @Test
  void nodesClaimingAtOnceEachGetDifferentCalls() throws Exception {
    for (int i = 0; i < 200; i++) {
      store.enqueue(call("c" + i, T0), 1000);
    }
    List<JdbcFunctionStore> nodes = new ArrayList<>(List.of(store, another(), another(), another()));
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
    try {
      List<Future<List<String>>> claims = new ArrayList<>();
      for (int n = 0; n < nodes.size(); n++) {
        JdbcFunctionStore node = nodes.get(n);
        String name = "n" + n;
        Callable<List<String>> claimer = () -> {
          List<String> mine = new ArrayList<>();
          List<AsyncCall> batch;
          while (!(batch = node.claim(name, 5, T0, LEASE)).isEmpty()) {
            mine.addAll(ids(batch));
          }
          return mine;
        };
        claims.add(pool.submit(claimer));
      }
      Set<String> all = new HashSet<>();
      int total = 0;
      for (Future<List<String>> claim : claims) {
        List<String> mine = claim.get();
        total += mine.size();
        all.addAll(mine);
      }
      assertThat(total).as("claims, each call once").isEqualTo(200);
      assertThat(all).hasSize(200);
    } finally {
      pool.shutdownNow();
      for (JdbcFunctionStore node : nodes.subList(1, nodes.size())) {
        node.close();
      }
    }
  }

  static List<String> ids(List<AsyncCall> calls) {
    return calls.stream().map(AsyncCall::id).toList();
  }
}
