package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.NodeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node directory of {@link JdbcFunctionStore} ({@code faas4j_nodes}), run on each database. */
abstract class NodeRegistryContract {

  private static final Duration EXPIRY = Duration.ofSeconds(10);
  private JdbcFunctionStore store;

  protected abstract JdbcFunctionStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  private static NodeInfo node(String id, FunctionRef... running) {
    return new NodeInfo(id, "host-" + id, Instant.parse("2026-11-21T12:00:00Z"), Instant.EPOCH, List.of(running));
  }

  @Test
  void nodesThatSentAHeartbeatAreListedByIdWithTheDatabasesTime() throws Exception {
    Instant before = Instant.now().minusSeconds(60);
    store.heartbeat(node("b"));
    store.heartbeat(node("a", new FunctionRef("hello", "v1"), new FunctionRef("other", "v2")));

    List<NodeInfo> live = store.liveNodes(EXPIRY);

    assertThat(live).extracting(NodeInfo::id).containsExactly("a", "b");
    assertThat(live.get(0).running()).containsExactly(new FunctionRef("hello", "v1"), new FunctionRef("other", "v2"));
    assertThat(live.get(0).host()).isEqualTo("host-a");
    assertThat(live.get(0).started()).isEqualTo(Instant.parse("2026-11-21T12:00:00Z"));
    assertThat(live.get(0).lastSeen()).as("stamped by the database, not taken from the node").isAfter(before);
  }

  @Test
  void aHeartbeatReplacesTheNodesEntry() throws Exception {
    store.heartbeat(node("a", new FunctionRef("hello", "v1")));
    store.heartbeat(node("a"));

    assertThat(store.liveNodes(EXPIRY)).singleElement().extracting(NodeInfo::running).asList().isEmpty();
  }

  @Test
  void aNodeSilentForLongerThanTheExpiryIsNotLive() throws Exception {
    store.heartbeat(node("a"));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!store.liveNodes(Duration.ofMillis(20)).isEmpty()) {
      assertThat(System.nanoTime()).as("a drops out of a 20 ms expiry").isLessThan(deadline);
      Thread.sleep(5);
    }

    assertThat(store.liveNodes(EXPIRY)).as("still live with a 10 s expiry").hasSize(1);
  }

  @Test
  void aRemovedNodeIsNotListed() throws Exception {
    store.heartbeat(node("a"));
    store.heartbeat(node("b"));

    store.removeNode("a");
    store.removeNode("a");

    assertThat(store.liveNodes(EXPIRY)).extracting(NodeInfo::id).containsExactly("b");
  }
}
