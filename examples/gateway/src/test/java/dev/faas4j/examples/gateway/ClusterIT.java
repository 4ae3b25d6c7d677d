package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Three real gateway JVMs with real workerd on one PostgreSQL database ({@code
 * FAAS4J_TEST_PG_URL}, a new schema per test): what one gateway changes, the others serve within
 * a deadline, and the cluster view follows gateways that come and go. Skipped without a server,
 * failed under {@code CI=true}.
 */
class ClusterIT extends ClusterTestSupport {

  /** How long the others may take to serve a change; the design's promise is about a second. */
  private static final Duration CONVERGENCE = Duration.ofSeconds(5);

  private final List<Long> convergenceMillis = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void printConvergence() {
    if (!convergenceMillis.isEmpty()) {
      System.out.println("[ClusterIT] convergence times (ms): " + convergenceMillis);
    }
  }

  /** The status and body {@code gateway} answers at {@code host}, without the request id of an error. */
  private static String body(GatewayProcess gateway, String host) {
    try {
      HttpResponse<String> response = gateway.get(host);
      // an error answer names its request's id, which differs per request: compare without it
      return response.statusCode() + " " + response.body().replaceFirst(",\"requestId\":\"[^\"]*\"", "");
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Waits until every one of {@code others} answers {@code expected} at {@code host}; records how long it took. */
  private void awaitServed(List<GatewayProcess> others, String host, String expected, String change) throws Exception {
    long start = System.nanoTime();
    for (GatewayProcess other : others) {
      boolean served = GatewayProcess.eventually(CONVERGENCE, () -> expected.equals(body(other, host)));
      assertThat(served).as("gateway on port %d serves '%s' at %s within %s after %s; it answers: %s",
          other.port(), expected, host, CONVERGENCE, change, body(other, host)).isTrue();
    }
    convergenceMillis.add((System.nanoTime() - start) / 1_000_000);
  }

  private static JsonNode version(GatewayProcess gateway, String name, String version) throws Exception {
    JsonNode function = GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/" + name, null).body());
    for (JsonNode v : function.path("function").path("versions")) {
      if (v.path("version").asText().equals(version)) {
        return v;
      }
    }
    return GatewayProcess.JSON.nullNode();
  }

  @Test
  void whatOneGatewayChangesTheOthersServeWithoutFailingARequest() throws Exception {
    GatewayProcess a = node("a");
    GatewayProcess b = node("b");
    GatewayProcess c = node("c");
    String host = "hello.func.local";

    assertThat(a.deployText("hello", "v1", "one").statusCode()).isEqualTo(200);
    awaitServed(List.of(b, c), host, "200 one", "deploy v1 on a");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService traffic = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> loops = new ArrayList<>();
      for (GatewayProcess target : List.of(b, c)) {
        loops.add(traffic.submit((Callable<Void>) () -> {
          while (running.get()) {
            String answer = body(target, host);
            served.incrementAndGet();
            if (!answer.startsWith("200 ")) {
              failures.add(target.port() + ": " + answer);
            }
          }
          return null;
        }));
      }

      assertThat(b.deployText("hello", "v2", "two").statusCode()).isEqualTo(200);
      awaitServed(List.of(a, c), host, "200 two", "deploy v2 on b");

      assertThat(c.admin("POST", "/rollback/hello", "{\"version\":\"v1\"}").statusCode()).isEqualTo(200);
      awaitServed(List.of(a, b), host, "200 one", "rollback to v1 on c");

      assertThat(a.admin("PUT", "/functions/hello/aliases/test", "{\"version\":\"v2\"}").statusCode()).isEqualTo(200);
      awaitServed(List.of(b, c), "test.hello.func.local", "200 two", "alias test -> v2 on a");
      assertThat(b.admin("PUT", "/functions/hello/aliases/test", "{\"version\":\"v1\"}").statusCode()).isEqualTo(200);
      awaitServed(List.of(a, c), "test.hello.func.local", "200 one", "alias test -> v1 on b");

      running.set(false);
      for (Future<?> loop : loops) {
        loop.get();
      }
    } finally {
      running.set(false);
      traffic.shutdownNow();
    }
    System.out.println("[ClusterIT] " + served.get() + " requests to b and c while the latest and an alias moved, "
        + failures.size() + " not 200");
    assertThat(failures).as("non-200 answers among %d requests to b and c while the latest and an alias moved",
        served.get()).isEmpty();

    // A version stopped on a is stopped on b and c (each had v2 running: it served the alias).
    assertThat(body(b, "v2.hello.func.local")).isEqualTo("200 two");
    assertThat(body(c, "v2.hello.func.local")).isEqualTo("200 two");
    assertThat(a.admin("POST", "/functions/hello/versions/v2/stop", null).statusCode()).isEqualTo(200);
    for (GatewayProcess other : List.of(b, c)) {
      assertThat(GatewayProcess.eventually(CONVERGENCE,
          () -> version(other, "hello", "v2").path("state").asText().equals("stopped")))
          .as("v2 stopped on port %d after the stop on a: %s", other.port(), version(other, "hello", "v2")).isTrue();
    }

    assertThat(c.admin("DELETE", "/functions/hello/versions/v2?force=true", null).statusCode()).isEqualTo(200);
    awaitServed(List.of(a, b), "v2.hello.func.local",
        "404 {\"status\":\"error\",\"error\":\"function hello has no version or alias 'v2'\"}", "delete v2 on c");

    assertThat(b.deployText("other", "v1", "x").statusCode()).isEqualTo(200);
    assertThat(GatewayProcess.eventually(CONVERGENCE,
        () -> a.functions().path("functions").findValuesAsText("name").contains("other")))
        .as("a lists what b deployed").isTrue();

    assertThat(a.admin("DELETE", "/functions/hello", null).statusCode()).isEqualTo(200);
    awaitServed(List.of(b, c), host, "404 {\"status\":\"error\",\"error\":\"function 'hello' not found\"}",
        "delete hello on a");
  }

  @Test
  void theNodeListShowsEveryLiveGatewayAndDropsAKilledOneOnceItsHeartbeatExpired() throws Exception {
    GatewayProcess a = node("a");
    node("b");
    GatewayProcess c = node("c");

    assertThat(GatewayProcess.eventually(CONVERGENCE, () -> nodeIds(a).equals(List.of("a", "b", "c"))))
        .as("nodes listed by a: %s", nodeIds(a)).isTrue();

    c.kill(); // SIGKILL: no goodbye, its heartbeat just stops
    long killed = System.nanoTime();

    assertThat(GatewayProcess.eventually(Duration.ofSeconds(15), () -> nodeIds(a).equals(List.of("a", "b"))))
        .as("nodes listed by a after c was killed: %s", nodeIds(a)).isTrue();
    long gone = (System.nanoTime() - killed) / 1_000_000;
    System.out.println("[ClusterIT] a killed gateway left the node list after " + gone + " ms (expiry 3 s)");
    assertThat(gone).as("c stays listed until its heartbeat is older than the expiry").isGreaterThan(1_000);

    // What a killed gateway leaves running is cleaned up by the next gateway on its data dir.
    node("c").close();
  }

  @Test
  void afterPostgresRestartedTheGatewaysReconnectReloadAndServeNewChanges() throws Exception {
    GatewayProcess a = node("a");
    GatewayProcess b = node("b");
    String host = "hello.func.local";
    assertThat(a.deployText("hello", "v1", "one").statusCode()).isEqualTo(200);
    awaitServed(List.of(b), host, "200 one", "deploy v1 on a");

    restartPostgres();

    // A pool connection the restart broke may fail the first attempt; a repeated deploy is idempotent.
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(20),
        () -> a.deployText("hello", "v2", "two").statusCode() == 200)).as("a deploys after the restart").isTrue();
    awaitServed(List.of(b), host, "200 two", "deploy v2 on a after PostgreSQL restarted");
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(20), () -> b.output().contains("reloading every function")))
        .as("b reloaded everything once its listening connection was back").isTrue();
  }

  @Test
  void concurrentChangesFromEveryGatewayEndInOneStateEverywhereWithNoServerError() throws Exception {
    String[] lean = {"--keep-latest-warm", "false", "--idle-timeout", "5s"}; // fewer workerd processes at once
    List<GatewayProcess> all = List.of(node("a", lean), node("b", lean), node("c", lean));
    assertThat(all.get(0).deployText("hello", "v0", "zero").statusCode()).isEqualTo(200);
    awaitServed(all, "hello.func.local", "200 zero", "deploy v0 on a");

    AtomicBoolean running = new AtomicBoolean(true);
    List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> traffic = new ArrayList<>();
      for (GatewayProcess target : all) {
        traffic.add(pool.submit((Callable<Void>) () -> {
          while (running.get()) {
            String answer = body(target, "hello.func.local");
            if (answer.startsWith("5") || !answer.matches("\\d{3} .*")) {
              serverErrors.add(target.port() + ": " + answer);
            }
          }
          return null;
        }));
      }
      List<Future<?>> writers = new ArrayList<>();
      for (int n = 0; n < all.size(); n++) {
        GatewayProcess writer = all.get(n);
        String prefix = "n" + n;
        writers.add(pool.submit((Callable<Void>) () -> {
          for (int i = 1; i <= 2; i++) {
            int deployed = writer.deployText("hello", prefix + "v" + i, prefix + "-" + i).statusCode();
            int aliased = writer.admin("PUT", "/functions/hello/aliases/test",
                "{\"version\":\"" + prefix + "v" + i + "\"}").statusCode();
            for (int status : new int[] {deployed, aliased}) {
              if (status >= 500) {
                serverErrors.add("change through " + writer.port() + ": " + status);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> writer : writers) {
        writer.get();
      }
      assertThat(GatewayProcess.eventually(CONVERGENCE, () -> sameEverywhere(all)))
          .as("every gateway holds the same state: %s", stateOf(all.get(0))).isTrue();
      String latest = body(all.get(0), "hello.func.local");
      String alias = body(all.get(0), "test.hello.func.local");
      for (GatewayProcess gateway : all) {
        assertThat(GatewayProcess.eventually(CONVERGENCE, () -> latest.equals(body(gateway, "hello.func.local"))
            && alias.equals(body(gateway, "test.hello.func.local"))))
            .as("gateway on %d serves latest %s and alias %s", gateway.port(), latest, alias).isTrue();
      }
      running.set(false);
      for (Future<?> loop : traffic) {
        loop.get();
      }
    } finally {
      running.set(false);
      pool.shutdownNow();
    }
    assertThat(serverErrors).as("5xx answers while three gateways changed one function at once").isEmpty();
  }

  private static boolean sameEverywhere(List<GatewayProcess> gateways) throws Exception {
    JsonNode first = stateOf(gateways.get(0));
    for (GatewayProcess gateway : gateways) {
      if (!stateOf(gateway).equals(first)) {
        return false;
      }
    }
    return true;
  }

  /** Latest, aliases, revision and version names of hello as one gateway describes it. */
  private static JsonNode stateOf(GatewayProcess gateway) throws Exception {
    JsonNode function = GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/hello", null).body()).path("function");
    com.fasterxml.jackson.databind.node.ObjectNode state = GatewayProcess.JSON.createObjectNode();
    state.set("latest", function.path("latest"));
    state.set("aliases", function.path("aliases"));
    state.set("revision", function.path("revision"));
    state.put("versions", function.path("versions").findValuesAsText("version").toString());
    return state;
  }

  /** Restarts the server with .ci/postgres.sh, which must have started it from this checkout. */
  private static void restartPostgres() throws Exception {
    java.nio.file.Path script = java.nio.file.Path.of(System.getProperty("faas4j.readme")).getParent()
        .resolve(".ci/postgres.sh");
    String output = GatewayProcess.bash("bash " + script + " restart 2>&1; echo exit=$?");
    if (!output.endsWith("exit=0")) {
      String message = "cannot restart PostgreSQL (the test restarts a server started by `eval \"$(.ci/postgres.sh"
          + " start)\"` from this checkout): " + output;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
  }

  private static List<String> nodeIds(GatewayProcess gateway) throws Exception {
    JsonNode nodes = GatewayProcess.JSON.readTree(gateway.admin("GET", "/nodes", null).body()).path("nodes");
    List<String> ids = new ArrayList<>();
    nodes.forEach(node -> ids.add(node.path("id").asText()));
    return ids;
  }
}
