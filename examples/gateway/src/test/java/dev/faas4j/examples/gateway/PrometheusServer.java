package dev.faas4j.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) scraping one target every second,
 * with its config and data in a directory of the test's; {@link #close()} kills it. Missing, it
 * fails the test under {@code CI=true} and skips it elsewhere.
 */
final class PrometheusServer implements AutoCloseable {

  private final Process process;
  private final int port;

  private PrometheusServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Prometheus scraping {@code target} (host:port) at {@code /metrics}, and waits until it is ready. */
  static PrometheusServer scraping(String target, Path dir) throws Exception {
    Path binary = binary();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: faas4j
            metrics_path: /metrics
            static_configs:
              - targets: ['%s']
        """.formatted(target));
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer server = new PrometheusServer(process, port);
    try {
      boolean ready = GatewayProcess.eventually(Duration.ofSeconds(30), () ->
          GatewayProcess.HTTP.send(HttpRequest.newBuilder(server.uri("/-/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      if (!ready) {
        throw new AssertionError("prometheus did not get ready; its log:\n"
            + Files.readString(dir.resolve("prometheus.log")));
      }
      return server;
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  private static Path binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "prometheus");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String message = "the prometheus binary is not on the PATH: install it (apt-get install prometheus;"
        + " .ci/run does)";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    org.junit.jupiter.api.Assumptions.abort(message);
    return null;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** An instant query at {@code time} (Unix seconds); the {@code data.result} array. */
  JsonNode query(String promql, double time) throws IOException, InterruptedException {
    URI uri = uri("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&time=" + time);
    HttpResponse<String> response = GatewayProcess.HTTP.send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode body = GatewayProcess.JSON.readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new AssertionError("query " + promql + " failed: " + response.body());
    }
    return body.path("data").path("result");
  }

  /** The value of the one series a query returns, or NaN if it returns none. */
  double value(String promql, double time) throws IOException, InterruptedException {
    JsonNode result = query(promql, time);
    if (result.size() > 1) {
      throw new AssertionError(promql + " returned " + result.size() + " series: " + result);
    }
    return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
