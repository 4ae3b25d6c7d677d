package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A canary on the real gateway and real workerd: an alias at 90/10 under concurrent load is moved
 * to 50/50 and then to 0/100, and no request fails.
 */
class CanaryIT extends GatewayTestSupport {

  private static final int CLIENTS = 8;
  /** Requests to wait for in each phase before the next move. */
  private static final int PER_PHASE = 1_500;

  @Test
  void movingTheWeightsUnderLoadFailsNoRequestAndEndsOnTheNewVersion() throws Exception {
    GatewayProcess gateway = start();
    assertThat(gateway.deployText("shop", "v1", "v1").statusCode()).isEqualTo(200);
    assertThat(gateway.deployText("shop", "v2", "v2").statusCode()).isEqualTo(200);
    setWeights(gateway, "{\"v1\":90,\"v2\":10}");

    AtomicInteger phase = new AtomicInteger();
    AtomicLong done = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      Thread thread = new Thread(() -> {
        for (int i = 0; running.get(); i++) {
          int sentIn = phase.get();
          try {
            HttpResponse<String> answer = gateway.get("canary.shop.func.local", "/", "X-Faas4j-Sticky",
                "client-" + client + "-" + (i % 500));
            String version = answer.headers().firstValue("X-Faas4j-Version").orElse("none");
            if (answer.statusCode() != 200 || !answer.body().equals(version)) {
              errors.add("phase " + sentIn + ": " + answer.statusCode() + " " + answer.body() + " from " + version);
            } else if (sentIn == 2 && !version.equals("v2")) {
              errors.add("sent after the move to 0/100, answered by " + version);
            }
            answered.computeIfAbsent(sentIn + ":" + version, k -> new AtomicInteger()).incrementAndGet();
          } catch (Exception e) {
            errors.add("phase " + sentIn + ": " + e);
          }
          done.incrementAndGet();
        }
      }, "canary-client-" + c);
      thread.start();
      clients.add(thread);
    }
    try {
      awaitRequests(done, PER_PHASE);
      setWeights(gateway, "{\"v1\":50,\"v2\":50}");
      phase.set(1);
      awaitRequests(done, PER_PHASE);
      setWeights(gateway, "{\"v1\":0,\"v2\":100}");
      phase.set(2);
      awaitRequests(done, PER_PHASE);
    } finally {
      running.set(false);
      for (Thread client : clients) {
        client.join(60_000);
      }
    }

    Map<String, Integer> counts = new TreeMap<>();
    answered.forEach((key, count) -> counts.put(key, count.get()));
    System.out.println("canary: " + done.get() + " requests, by phase:version " + counts + ", errors " + errors.size());
    assertThat(errors).as("failed or misrouted requests").isEmpty();
    assertThat(counts).as("phase 0 (90/10) reached both versions").containsKeys("0:v1", "0:v2");
    assertThat(counts.keySet()).as("phase 2 (0/100)").filteredOn(key -> key.startsWith("2:")).containsExactly("2:v2");
  }

  private static void setWeights(GatewayProcess gateway, String weights) throws Exception {
    HttpResponse<String> answer = gateway.admin("PUT", "/functions/shop/aliases/canary", "{\"weights\":" + weights + "}");
    assertThat(answer.statusCode()).as("setting weights %s: %s", weights, answer.body()).isEqualTo(200);
  }

  /** Waits until {@code count} more requests were answered. */
  private static void awaitRequests(AtomicLong done, int count) throws InterruptedException {
    long target = done.get() + count;
    while (done.get() < target) {
      Thread.sleep(20);
    }
  }
}
