package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster view: nodes sharing a store write heartbeats to it and list one another, with a
 * hand-moved clock standing in for time (heartbeats are written by hand, {@code heartbeatInterval}
 * zero).
 */
class ClusterViewTest {

  private final MutableClock clock = new MutableClock();
  private final InMemoryStore store = new InMemoryStore(InMemoryStore.DEFAULT_KEPT_CHANGES, clock);
  private final List<JettyHarness> nodes = new ArrayList<>();

  private JettyHarness node(String id) throws Exception {
    Faas faas = Faas.builder()
        .provider(new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code())))
        .store(store)
        .clock(clock)
        .maintenanceInterval(Duration.ZERO)
        .syncInterval(Duration.ZERO)
        .heartbeatInterval(Duration.ZERO)
        .nodeExpiry(Duration.ofSeconds(10))
        .nodeId(id)
        .build();
    JettyHarness node = new JettyHarness(faas);
    nodes.add(node);
    return node;
  }

  @AfterEach
  void closeNodes() throws Exception {
    for (JettyHarness node : nodes) {
      node.close();
    }
  }

  private static List<String> ids(List<NodeInfo> nodes) {
    return nodes.stream().map(NodeInfo::id).toList();
  }

  @Test
  void nodesThatWroteAHeartbeatListEachOther() throws Exception {
    JettyHarness a = node("node-a");
    JettyHarness b = node("node-b");
    a.faas.heartbeatNow();
    b.faas.heartbeatNow();

    assertThat(ids(a.faas.nodes())).containsExactly("node-a", "node-b");
    HttpResponse<String> answer = b.admin("GET", "/nodes", null);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("\"id\":\"node-a\"", "\"id\":\"node-b\"", "\"lastHeartbeat\":\"2026-11-21T12:00:00Z\"");
  }

  @Test
  void aNodeWhoseHeartbeatExpiredDropsOut() throws Exception {
    JettyHarness a = node("node-a");
    JettyHarness b = node("node-b");
    a.faas.heartbeatNow();
    b.faas.heartbeatNow();

    clock.advance(Duration.ofSeconds(8));
    a.faas.heartbeatNow(); // b says nothing more, as a node killed with kill -9
    assertThat(ids(a.faas.nodes())).as("b heard from 8 s ago").containsExactly("node-a", "node-b");
    clock.advance(Duration.ofSeconds(3));

    assertThat(ids(a.faas.nodes())).as("b heard from 11 s ago, expiry 10 s").containsExactly("node-a");
  }

  @Test
  void aNodeThatShutsDownLeavesTheList() throws Exception {
    JettyHarness a = node("node-a");
    JettyHarness b = node("node-b");
    a.faas.heartbeatNow();
    b.faas.heartbeatNow();

    b.close();
    nodes.remove(b);

    assertThat(ids(a.faas.nodes())).containsExactly("node-a");
  }

  @Test
  void describingAFunctionSaysWhichNodesRunEachVersion() throws Exception {
    JettyHarness a = node("node-a");
    JettyHarness b = node("node-b");
    a.faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version("v1").code("one").build(),
        null);
    a.faas.heartbeatNow();
    b.faas.heartbeatNow();
    assertThat(a.faas.nodes().get(0).running()).containsExactly(new FunctionRef("hello", "v1"));

    HttpResponse<String> answer = b.admin("GET", "/functions/hello", null);

    assertThat(answer.body()).as("v1 runs on a only: b has not served it").contains("\"runningOn\":[\"node-a\"]");
  }
}
