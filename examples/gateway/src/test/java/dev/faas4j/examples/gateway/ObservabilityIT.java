package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's operator endpoints, and its metrics as a real Prometheus server sees them: the rate
 * of requests per function and a latency quantile agree with the traffic the test sent.
 */
class ObservabilityIT extends GatewayTestSupport {

  @TempDir
  Path prometheusDir;

  @Test
  void statusEndpointsNeedTheAdminCredentialsByDefault() throws Exception {
    GatewayProcess gateway = start("--admin-token", "s3cret");

    for (String path : List.of("/metrics", "/healthz", "/readyz")) {
      assertThat(gateway.get("127.0.0.1", path).statusCode()).as(path + " without the token").isEqualTo(401);
    }
    HttpResponse<String> metrics = gateway.get("127.0.0.1", "/metrics", "Authorization", "Bearer s3cret");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body()).contains("# TYPE faas4j_instances gauge");
    assertThat(gateway.get("127.0.0.1", "/healthz", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = gateway.get("127.0.0.1", "/readyz", "Authorization", "Bearer s3cret");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("ready");
  }

  @Test
  void aRequestIdReachesTheFunctionComesBackAndIsInTheAccessLog() throws Exception {
    GatewayProcess gateway = start("--admin-token", "s3cret", "--access-log", "true");
    deploy(gateway, "echo", "return new Response(request.headers.get('x-request-id'));");

    HttpResponse<String> answer = gateway.get("echo.func.local", "/", "X-Request-Id", "it-42");
    assertThat(answer.body()).as("the id the function got").isEqualTo("it-42");
    assertThat(answer.headers().firstValue("X-Request-Id")).hasValue("it-42");
    HttpResponse<String> generated = gateway.get("echo.func.local", "/", "X-Request-Id", "bad id");
    assertThat(generated.body()).matches("[0-9a-f]{32}");
    assertThat(generated.headers().firstValue("X-Request-Id")).hasValue(generated.body());
    HttpResponse<String> error = gateway.get("v9.echo.func.local", "/", "X-Request-Id", "it-43");
    assertThat(error.statusCode()).isEqualTo(404);
    assertThat(GatewayProcess.JSON.readTree(error.body()).path("requestId").asText()).isEqualTo("it-43");

    assertThat(GatewayProcess.eventually(Duration.ofSeconds(10), () -> gateway.output().contains("id=it-42")
        && gateway.output().contains("id=it-43"))).as("the access log names both ids:\n" + gateway.output()).isTrue();
  }

  @Test
  void followingLogsShowsWhatTheFunctionLogsWhileTheClientWatches() throws Exception {
    GatewayProcess gateway = start("--admin-token", "s3cret");
    deploy(gateway, "chatty", "const id = request.headers.get('x-request-id');"
        + " if (new URL(request.url).pathname === '/throw') { throw new Error('broken for ' + id); }"
        + " console.log('serving ' + id); console.warn('careful ' + id); return new Response('ok');");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(("GET /api/functions/chatty/logs?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer s3cret\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.BufferedReader in = new java.io.BufferedReader(
          new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");

      assertThat(gateway.get("chatty.func.local", "/", "X-Request-Id", "follow-1").statusCode()).isEqualTo(200);
      assertThat(dataContaining(in, "serving follow-1")).as("time, version, stream, text").matches(
          "\\S+ v1 out .*serving follow-1.*");

      HttpResponse<String> thrown = gateway.get("chatty.func.local", "/throw", "X-Request-Id", "follow-2");
      assertThat(thrown.statusCode()).isEqualTo(500);
      assertThat(thrown.headers().firstValue("X-Request-Id")).hasValue("follow-2");
      assertThat(dataContaining(in, "broken for follow-2")).as("the uncaught error, as an error line")
          .matches("\\S+ v1 err Uncaught.*: Error: broken for follow-2");
      assertThat(dataContaining(in, " at ")).as("its stack, an error too").contains(" v1 err ").contains("worker.js");
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(10),
          () -> gateway.output().contains("chatty:v1 answered 500 to request follow-2")))
          .as("the gateway's log ties the caller's request id to the failure").isTrue();
    }
    HttpResponse<String> last = gateway.admin("GET", "/functions/chatty/logs?lines=50", null,
        "Authorization", "Bearer s3cret");
    assertThat(last.body()).as("no workerd internals in the function's logs")
        .doesNotContain("workerd@").doesNotContain("worker.c++").doesNotContain("io-context");
    java.util.Map<String, String> levels = new java.util.HashMap<>();
    for (com.fasterxml.jackson.databind.JsonNode entry : GatewayProcess.JSON.readTree(last.body()).path("entries")) {
      levels.put(entry.path("text").asText().replaceFirst("^(Uncaught).*(broken).*", "$1 $2"),
          entry.path("level").asText() + " " + entry.path("stream").asText());
    }
    assertThat(levels).as("each line's level in the merged logs: %s", last.body())
        .containsEntry("serving follow-1", "INFO out").containsEntry("careful follow-1", "WARN err")
        .containsEntry("Uncaught broken", "ERROR err");
  }

  /** The next {@code data:} event of a log stream that contains {@code text}. */
  private static String dataContaining(java.io.BufferedReader in, String text) throws Exception {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("data: ") && line.contains(text)) {
        return line.substring(6);
      }
    }
    throw new AssertionError("the log stream ended before a line with " + text);
  }

  @Test
  void prometheusSeesTheRequestRatePerFunctionAndTheLatencyQuantile() throws Exception {
    GatewayProcess gateway = start("--admin-token", "s3cret", "--status-auth", "false");
    assertThat(gateway.get("127.0.0.1", "/metrics").statusCode()).as("--status-auth false").isEqualTo(200);
    // slow answers after 150 ms (the middle of its bucket, 100-250 ms, even on a loaded machine),
    // fast at once: their histograms must tell them apart
    deploy(gateway, "slow", "await new Promise(r => setTimeout(r, 150)); return new Response('slow');");
    deploy(gateway, "fast", "return new Response('fast');");

    try (PrometheusServer prometheus = PrometheusServer.scraping("127.0.0.1:" + gateway.port(), prometheusDir)) {
      Map<String, ConcurrentLinkedQueue<Long>> answered = Map.of(
          "slow", new ConcurrentLinkedQueue<>(), "fast", new ConcurrentLinkedQueue<>());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger failures = new AtomicInteger();
      List<Thread> clients = new ArrayList<>();
      for (String function : List.of("slow", "slow", "fast", "fast")) {
        Thread client = new Thread(() -> {
          while (running.get()) {
            try {
              if (gateway.get(function + ".func.local").statusCode() == 200) {
                answered.get(function).add(System.currentTimeMillis());
              } else {
                failures.incrementAndGet();
              }
            } catch (Exception e) {
              failures.incrementAndGet();
            }
          }
        }, "load-" + function);
        client.start();
        clients.add(client);
      }
      long loadStart = System.currentTimeMillis();
      Thread.sleep(30_000); // the load's length, not an assertion about speed
      long loadEnd = System.currentTimeMillis();
      running.set(false);
      for (Thread client : clients) {
        client.join(60_000);
      }
      assertThat(failures.get()).as("requests that failed").isZero();
      Thread.sleep(3_000); // a few more scrapes, so that Prometheus has the counters' final values

      // A 20 s window that ends 2 s before the load did and starts 8 s after it began.
      long windowEnd = loadEnd - 2_000;
      assertThat(windowEnd - 20_000).isGreaterThan(loadStart);
      for (String function : List.of("slow", "fast")) {
        long sent = answered.get(function).stream().filter(t -> t > windowEnd - 20_000 && t <= windowEnd).count();
        double clientRate = sent / 20.0;
        double prometheusRate = prometheus.value(
            "sum(rate(gateway_function_invocation_total{function_name=\"" + function + "\",code=\"200\"}[20s]))",
            windowEnd / 1000.0);
        System.out.printf("%s: client %.2f req/s, Prometheus %.2f req/s%n", function, clientRate, prometheusRate);
        assertThat(prometheusRate).as("requests per second to %s: Prometheus against the client's %s", function,
            clientRate).isCloseTo(clientRate, within(clientRate * 0.05));

        double total = prometheus.value(
            "sum(gateway_function_invocation_total{function_name=\"" + function + "\"})",
            System.currentTimeMillis() / 1000.0);
        assertThat(total).as("every request to %s is counted once", function).isEqualTo(answered.get(function).size());
      }
      double slowMedian = prometheus.value("histogram_quantile(0.5, sum by (le) (rate("
          + "gateway_functions_seconds_bucket{function_name=\"slow\"}[20s])))", windowEnd / 1000.0);
      double fastMedian = prometheus.value("histogram_quantile(0.5, sum by (le) (rate("
          + "gateway_functions_seconds_bucket{function_name=\"fast\"}[20s])))", windowEnd / 1000.0);
      System.out.printf("median latency: slow %.4f s, fast %.4f s%n", slowMedian, fastMedian);
      assertThat(slowMedian).as("the slow function's median, in its 100-250 ms bucket").isBetween(0.1, 0.25);
      assertThat(fastMedian).as("the fast function's median is below the slow one's bucket").isLessThan(0.1);
    }
  }

  private static void deploy(GatewayProcess gateway, String name, String body) throws Exception {
    String code = "export default { async fetch(request, env) { " + body + " } };";
    HttpResponse<String> deployed = gateway.admin("POST", "/deploy/" + name,
        GatewayProcess.JSON.writeValueAsString(Map.of("version", "v1", "code", code)),
        "Authorization", "Bearer s3cret");
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);
  }
}
