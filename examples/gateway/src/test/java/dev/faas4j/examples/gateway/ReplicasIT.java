package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Replicas and the autoscaler on the real gateway and real workerd processes: concurrent slow
 * requests make the version run more than one process, and once the load is gone it goes back to
 * its {@code min}. Nothing here is timed: the test waits for states, with generous deadlines.
 */
class ReplicasIT extends GatewayTestSupport {

  /**
   * Answers after {@code ?ms=} milliseconds with the id of the process that served it: drawn at the
   * process's first request (workerd refuses randomness while a script loads) and kept by the module.
   */
  private static final String SLOW_WITH_ID = "let id;\n"
      + "addEventListener('fetch', e => e.respondWith((async () => {\n"
      + "  id ??= crypto.randomUUID();\n"
      + "  const ms = Number(new URL(e.request.url).searchParams.get('ms') || 0);\n"
      + "  await new Promise(r => setTimeout(r, ms));\n"
      + "  return new Response(id);\n"
      + "})()));";

  @Test
  void concurrentRequestsAreServedByMoreThanOneProcessAndTheVersionGoesBackToMin() throws Exception {
    GatewayProcess gateway = start();
    HttpResponse<String> deployed = gateway.admin("POST", "/deploy/busy", GatewayProcess.JSON.writeValueAsString(
        Map.of("version", "v1", "code", SLOW_WITH_ID, "scaling", Map.of("min", 1, "max", 3, "target_concurrency", 1,
            "window_ms", 2000, "scale_down_delay_ms", 1000))));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);

    Set<String> ids = ConcurrentHashMap.newKeySet();
    AtomicInteger mostReplicas = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      // six clients, each sending slow requests one after the other, until the ids show several processes
      long deadline = System.nanoTime() + 60_000_000_000L;
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        running.add(clients.submit(() -> {
          while (ids.size() < 2 && System.nanoTime() < deadline) {
            HttpResponse<String> answer = gateway.get("busy.func.local", "/?ms=300");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            ids.add(answer.body());
          }
          return null;
        }));
      }
      while (running.stream().anyMatch(f -> !f.isDone())) {
        mostReplicas.accumulateAndGet(replicas(gateway), Math::max);
        Thread.sleep(50);
      }
      for (Future<?> client : running) {
        client.get();
      }
    } finally {
      clients.shutdownNow();
    }

    assertThat(ids).as("requests served by different workerd processes").hasSizeGreaterThan(1);
    assertThat(mostReplicas.get()).as("replicas seen while loaded: more than one, at most max").isBetween(2, 3);

    long deadline = System.nanoTime() + 60_000_000_000L;
    while (replicas(gateway) != 1) {
      assertThat(System.nanoTime()).as("waiting for the version to go back to min (1) replica").isLessThan(deadline);
      Thread.sleep(100);
    }
    JsonNode version = version(gateway);
    assertThat(version.path("state").asText()).as("min 1: scaled down, never suspended").isEqualTo("running");
    assertThat(gateway.get("busy.func.local", "/?ms=0").statusCode()).isEqualTo(200);
  }

  private static JsonNode version(GatewayProcess gateway) throws Exception {
    return GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/busy", null).body())
        .path("function").path("versions").path(0);
  }

  private static int replicas(GatewayProcess gateway) throws Exception {
    return version(gateway).path("replicas").asInt();
  }
}
