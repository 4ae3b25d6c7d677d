package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Asynchronous invocations survive a {@code kill -9} of the gateway: 1,000 calls are accepted
 * (202 with X-Call-Id) by a gateway that is killed while they arrive and run, and by the same
 * gateway restarted on the same data dir; every accepted call runs and every callback arrives, at
 * least once. Real gateway jar, real workerd, real SQLite, a real HTTP receiver for the callbacks.
 */
class AsyncKillIT extends GatewayTestSupport {

  private static final int CALLS = 1000;
  private static final String MODULE = """
      export default {
        async fetch(request) {
          await new Promise(resolve => setTimeout(resolve, 2));
          return new Response("ran " + await request.text());
        }
      }
      """;

  private final List<CallbackReceiver> receivers = new ArrayList<>();

  @AfterEach
  void stopReceiver() {
    receivers.forEach(CallbackReceiver::close);
  }

  @Test
  void everyAcceptedCallRunsAndCallsBackAroundAKill9() throws Exception {
    CallbackReceiver receiver = new CallbackReceiver();
    receivers.add(receiver);
    Map<String, AtomicInteger> callbacks = receiver.counts;
    Map<String, String> bodies = receiver.bodies;
    String hook = receiver.url();
    Map<String, String> env = Map.of("FAAS4J_CALLBACK_ALLOW", "127.0.0.1/32");
    String[] args = {"--node-id", "async-node"};

    AtomicReference<GatewayProcess> gateway = new AtomicReference<>(start(env, args));
    assertThat(gateway.get().admin("POST", "/deploy/work", GatewayProcess.JSON.writeValueAsString(Map.of(
        "version", "v1", "code", MODULE))).statusCode()).isEqualTo(200);

    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger refusedWhileDown = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Thread client = new Thread(() -> {
        int n;
        while ((n = next.getAndIncrement()) < CALLS) {
          while (true) {
            try {
              HttpResponse<String> answer = GatewayProcess.HTTP.send(HttpRequest.newBuilder(
                  gateway.get().uri("/async-function/work")).header("X-Callback-Url", hook)
                  .POST(HttpRequest.BodyPublishers.ofString("call " + n)).timeout(Duration.ofSeconds(30)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (answer.statusCode() == 202) {
                accepted.add(answer.headers().firstValue("X-Call-Id").orElseThrow());
                break;
              }
            } catch (Exception down) {
              refusedWhileDown.incrementAndGet();
            }
            sleep(50);
          }
        }
      });
      client.start();
      clients.add(client);
    }

    while (accepted.size() < CALLS / 3) {
      sleep(10);
    }
    gateway.get().kill();
    int acceptedBeforeKill = accepted.size();
    int calledBackBeforeKill = callbacks.size();
    gateway.set(start(env, args));
    for (Thread client : clients) {
      client.join(300_000);
    }
    assertThat(accepted).as("accepted calls").hasSize(CALLS);

    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (!callbacks.keySet().containsAll(accepted) && System.nanoTime() < deadline) {
      sleep(200);
    }
    Set<String> missing = new java.util.HashSet<>(accepted);
    missing.removeAll(callbacks.keySet());
    int duplicates = receiver.repeats();
    System.out.printf("async around kill -9: %d accepted before the kill (%d called back by then), %d client"
        + " retries while down, %d calls back more than once (%d extra callbacks)%n", acceptedBeforeKill,
        calledBackBeforeKill, refusedWhileDown.get(), callbacks.values().stream().filter(c -> c.get() > 1).count(),
        duplicates);
    assertThat(missing).as("accepted calls whose callback never arrived").isEmpty();
    assertThat(bodies.values()).as("each callback carries the function's answer")
        .allMatch(body -> body.startsWith("200 ran call "));

    String some = accepted.iterator().next();
    JsonNode call = GatewayProcess.JSON.readTree(gateway.get().admin("GET", "/calls/" + some, null).body()).path("call");
    assertThat(call.path("state").asText()).isEqualTo("succeeded");
    assertThat(call.path("functionStatus").asInt()).isEqualTo(200);
  }

  private GatewayProcess start(Map<String, String> env, String... args) throws Exception {
    GatewayProcess gateway = GatewayProcess.start(dataDir, env, args);
    gateways.add(gateway);
    return gateway;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
