package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real gateway JVMs share one asynchronous queue in PostgreSQL: calls accepted by any of them
 * are spread over all three, each is claimed and run by one node, and the calls a node held when
 * it was killed with {@code kill -9} are run by the others once its lease ends. Real gateway jars,
 * real workerd, real PostgreSQL ({@code FAAS4J_TEST_PG_URL}), a real HTTP receiver for callbacks.
 */
class AsyncClusterIT extends ClusterTestSupport {

  private static final int CALLS = 300;
  /** Short, so that the killed node's calls run again within the test's time; longer than a call takes. */
  private static final String LEASE = "6s";
  /** Slow enough that all three nodes take calls and the victim holds some when it dies. */
  private static final String MODULE = """
      export default {
        async fetch(request) {
          await new Promise(resolve => setTimeout(resolve, 100));
          return new Response("ran " + await request.text());
        }
      }
      """;

  private final CallbackReceiver receiver;

  AsyncClusterIT() throws java.io.IOException {
    receiver = new CallbackReceiver();
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  private GatewayProcess node(String id) throws Exception {
    return node(Map.of(), id, "--async-lease", LEASE, "--callback-allow", "127.0.0.1/32", "--async-workers", "4");
  }

  @Test
  void nodesShareTheQueueAndRunTheCallsOfAKilledNode() throws Exception {
    List<GatewayProcess> nodes = startInParallel("a", "b", "c");
    GatewayProcess a = nodes.get(0);
    GatewayProcess victim = nodes.get(2);
    assertThat(a.admin("POST", "/deploy/work", GatewayProcess.JSON.writeValueAsString(Map.of(
        "version", "v1", "code", MODULE))).statusCode()).isEqualTo(200);
    for (GatewayProcess node : nodes) {
      // a node that has not yet heard of the function would fail the calls it claims (404 is final)
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(10),
          () -> node.admin("GET", "/functions/work", null).statusCode() == 200))
          .as("gateway %d knows the function", node.port()).isTrue();
    }

    long start = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(3);
    Set<String> heldAtDeath;
    List<String> accepted;
    try {
      List<Future<String>> posted = postSpread(clients, nodes);
      // kill -9 the victim while it holds calls, once every node has run some
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(30), () -> heldBy("c").size() > 0
          && ranOn().keySet().containsAll(Set.of("a", "b", "c")))).as("c holds calls and every node ran some").isTrue();
      victim.kill();
      heldAtDeath = heldBy("c"); // it is dead: nothing changes its claims any more
      accepted = new ArrayList<>();
      for (Future<String> id : posted) {
        accepted.add(id.get());
      }
    } finally {
      clients.shutdownNow();
    }
    long killedAfter = (System.nanoTime() - start) / 1_000_000;
    assertThat(accepted).as("accepted calls").hasSize(CALLS).doesNotHaveDuplicates();
    assertThat(heldAtDeath).as("calls c held when it died").isNotEmpty();

    long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (!receiver.counts.keySet().containsAll(accepted) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Set<String> missing = new HashSet<>(accepted);
    missing.removeAll(receiver.counts.keySet());
    assertThat(missing).as("calls whose callback never came").isEmpty();
    assertThat(receiver.bodies.values()).as("each callback carries the function's answer")
        .allMatch(body -> body.startsWith("200 ran call "));

    Map<String, Integer> perNode = new TreeMap<>();
    GatewayProcess survivor = nodes.get(1);
    // A node records a call's end after its callback went out, so the last states may lag the last
    // callbacks; and a call c held may have called back before c died without c recording it: it is
    // queued again once its lease ends and runs again on a or b (at least once). Wait for both.
    for (String id : accepted) {
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(40), () -> "succeeded".equals(GatewayProcess.JSON
          .readTree(survivor.admin("GET", "/calls/" + id, null).body()).path("call").path("state").asText())))
          .as("%s ran to the end (held by c when it died: %s)", id, heldAtDeath.contains(id)).isTrue();
    }
    for (String id : accepted) {
      JsonNode call = GatewayProcess.JSON.readTree(survivor.admin("GET", "/calls/" + id, null).body()).path("call");
      assertThat(call.path("state").asText()).as("state of %s", id).isEqualTo("succeeded");
      String node = call.path("node").asText();
      perNode.merge(node, 1, Integer::sum);
      if (heldAtDeath.contains(id)) {
        assertThat(node).as("%s, held by c when it died, ran again on another node", id).isIn("a", "b");
      } else {
        assertThat(receiver.counts.get(id).get()).as("callbacks of %s, which one node claimed and ran", id)
            .isEqualTo(1);
      }
    }
    System.out.printf("async on 3 nodes: %d calls, run by %s; c killed after %d ms holding %d, all done after %d ms;"
        + " %d callbacks repeated%n", CALLS, perNode, killedAfter, heldAtDeath.size(),
        (System.nanoTime() - start) / 1_000_000, receiver.repeats());
    assertThat(perNode.keySet()).as("nodes that ran calls").containsExactlyInAnyOrder("a", "b", "c");
    assertThat(perNode.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CALLS);

    // the victim, started again on its data dir, cleans up the workerd processes it left
    node("c");
  }

  /** Starts the gateways at once (each takes seconds), in the order given. */
  private List<GatewayProcess> startInParallel(String... ids) throws Exception {
    ExecutorService starters = Executors.newFixedThreadPool(ids.length);
    try {
      List<Future<GatewayProcess>> started = new ArrayList<>();
      for (String id : ids) {
        started.add(starters.submit(() -> node(id)));
      }
      List<GatewayProcess> nodes = new ArrayList<>();
      for (Future<GatewayProcess> future : started) {
        nodes.add(future.get());
      }
      return nodes;
    } finally {
      starters.shutdownNow();
    }
  }

  /**
   * Posts the calls round-robin to the nodes from the {@code clients}; a call a dead node cannot take
   * goes to the next one. Returns each call's future id.
   */
  private List<Future<String>> postSpread(ExecutorService clients, List<GatewayProcess> nodes) {
    List<Future<String>> ids = new ArrayList<>();
    for (int n = 0; n < CALLS; n++) {
      int first = n;
      String body = "call " + n;
      ids.add(clients.submit(() -> {
        for (int attempt = 0; ; attempt++) {
          GatewayProcess node = nodes.get((first + attempt) % nodes.size());
          HttpResponse<String> answer;
          try {
            answer = GatewayProcess.HTTP.send(HttpRequest.newBuilder(node.uri("/async-function/work"))
                .header("X-Callback-Url", receiver.url()).POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
          } catch (java.io.IOException dead) {
            assertThat(attempt).as("%s: every node refused it (%s)", body, dead).isLessThan(nodes.size());
            continue;
          }
          assertThat(answer.statusCode()).as("answer to %s: %s", body, answer.body()).isEqualTo(202);
          return answer.headers().firstValue("X-Call-Id").orElseThrow();
        }
      }));
    }
    return ids;
  }

  /** The pending calls {@code node} holds a claim on, read from the database. */
  private Set<String> heldBy(String node) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection db = database(); var select = db.prepareStatement("SELECT id FROM faas4j_calls"
        + " WHERE claimed_by = ? AND state IN ('queued', 'delivering')")) {
      select.setString(1, node);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  /** How many calls each node ran so far, by the node the database names. */
  private Map<String, Integer> ranOn() throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    try (Connection db = database(); Statement statement = db.createStatement();
        ResultSet rs = statement.executeQuery("SELECT ran_on, COUNT(*) FROM faas4j_calls WHERE ran_on IS NOT NULL"
            + " GROUP BY ran_on")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getInt(2));
      }
    }
    return counts;
  }
}
