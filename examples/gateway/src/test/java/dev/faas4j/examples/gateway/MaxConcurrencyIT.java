package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.max_concurrency} on the real gateway and workerd: a request beyond the limit waits
 * its turn, and one that waits longer than the queue timeout (5 s) gets 429 with Retry-After and
 * faas4j's JSON error.
 */
class MaxConcurrencyIT extends GatewayTestSupport {

  /** A function that answers after {@code ?ms=} milliseconds. */
  private static final String SLOW = "addEventListener(\"fetch\", e => e.respondWith((async () => {"
      + " const ms = Number(new URL(e.request.url).searchParams.get(\"ms\") || 0);"
      + " await new Promise(r => setTimeout(r, ms)); return new Response(\"slept \" + ms); })()))";

  @Test
  void aRequestOverTheLimitWaitsItsTurnOrGets429AfterTheQueueTimeout() throws Exception {
    GatewayProcess gateway = start();
    HttpResponse<String> deployed = gateway.admin("POST", "/deploy/slow", GatewayProcess.JSON.writeValueAsString(
        Map.of("version", "v1", "code", SLOW, "limits", Map.of("max_concurrency", 1))));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);

    // Two short requests at once: the second waits for the first, and both succeed.
    List<CompletableFuture<HttpResponse<String>>> short2 = List.of(
        CompletableFuture.supplyAsync(() -> get(gateway, "/?ms=500")),
        CompletableFuture.supplyAsync(() -> get(gateway, "/?ms=500")));
    for (CompletableFuture<HttpResponse<String>> answer : short2) {
      assertThat(answer.get().statusCode()).as(answer.get().body()).isEqualTo(200);
    }

    // A long one holds the only place for longer than the 5 s a waiting request may wait.
    CompletableFuture<HttpResponse<String>> holder = CompletableFuture.supplyAsync(() -> get(gateway, "/?ms=9000"));
    awaitActiveRequests(gateway, 1); // it holds the place before the next request is sent
    HttpResponse<String> refused = gateway.get("slow.func.local", "/?ms=0");

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    JsonNode body = GatewayProcess.JSON.readTree(refused.body());
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("error").asText()).contains("max_concurrency of 1").contains("waited 5000 ms");
    assertThat(holder.get().statusCode()).isEqualTo(200);
    assertThat(gateway.get("slow.func.local", "/?ms=0").body()).as("after the holder is done").isEqualTo("slept 0");
  }

  private static void awaitActiveRequests(GatewayProcess gateway, int expected) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      JsonNode function = GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/slow", null).body());
      if (function.path("function").path("versions").path(0).path("activeRequests").asInt() == expected) {
        return;
      }
      assertThat(System.nanoTime()).as("waiting for %d active request(s)", expected).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static HttpResponse<String> get(GatewayProcess gateway, String path) {
    try {
      return gateway.get("slow.func.local", path);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
