package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway jar as a child process: the README tour over real HTTP, then a SIGKILL and a
 * restart on the same data dir, then a clean SIGTERM shutdown.
 */
class GatewayIT {

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  private final List<Process> gateways = new ArrayList<>();

  @AfterEach
  void stopGateways() throws Exception {
    for (Process gateway : gateways) {
      gateway.destroy(); // SIGTERM: an orderly stop that ends its workerd processes
      if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
        gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(workerdProcessesUnder(dataDir)).as("workerd processes left under " + dataDir).isEmpty();
  }

  /** Starts the jar with a free port and returns the port it reports. */
  private int startGateway(String... extraArgs) throws Exception {
    Path jar = Path.of(System.getProperty("faas4j.gateway.jar"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
        "--port", "0", "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    Process gateway = new ProcessBuilder(command).redirectErrorStream(true).start();
    gateways.add(gateway);
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          System.out.println("[gateway] " + line);
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException ignored) {
        // the process is gone
      }
      port.completeExceptionally(new AssertionError("gateway exited with " + gateway.exitValue() + " before listening"));
    }, "gateway-output");
    pump.setDaemon(true);
    pump.start();
    return port.get(60, TimeUnit.SECONDS);
  }

  @Test
  void theReadmeTourWorksAndEverythingSurvivesAKill() throws Exception {
    int port = startGateway("--idle-timeout", "1s");
    List<ReadmeTour.Step> tour = ReadmeTour.read(Path.of(System.getProperty("faas4j.readme")));
    assertThat(tour).as("tour steps in README.md").hasSizeGreaterThan(20);

    for (ReadmeTour.Step step : tour) {
      // The README's gateway runs on 8081 with a 60 s idle timeout; this one on a free port with 1 s.
      String command = step.command().replace("localhost:8081", "127.0.0.1:" + port).replace("sleep 61", "sleep 3");
      String output = bash(command);
      ReadmeTour.Step local = new ReadmeTour.Step(command,
          step.expected() == null ? null : step.expected().replace(":8081", ":" + port));
      assertThat(local.matches(output)).as("README command:%n  %s%nexpected:%n  %s%nbut printed:%n  %s",
          step.command(), local.expected(), output).isTrue();
    }

    JsonNode before = definitions(port);
    assertThat(before.path("functions")).as("functions after the tour").isNotEmpty();

    gateways.get(0).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    int restartedPort = startGateway();

    assertThat(definitions(restartedPort)).as("state after SIGKILL and restart").isEqualTo(before);
    for (JsonNode function : before.path("functions")) {
      String name = function.path("name").asText();
      for (JsonNode version : function.path("versions")) {
        String host = version.path("version").asText() + "." + name + ".func.local";
        assertThat(get(restartedPort, host).statusCode()).as("GET http://" + host).isEqualTo(200);
      }
      assertThat(get(restartedPort, name + ".func.local").body()).as("latest of " + name)
          .isEqualTo(get(restartedPort, function.path("latest").asText() + "." + name + ".func.local").body());
    }
  }

  @Test
  void sigtermStopsEveryWorkerdProcessAndExitsZero() throws Exception {
    int port = startGateway();
    assertThat(bash("curl -s 127.0.0.1:" + port + "/api/deploy/hello -H 'Content-Type: application/json'"
        + " -d '{\"code\":\"addEventListener(\\\"fetch\\\", e => e.respondWith(new Response(\\\"hi\\\")))\"}'"))
        .contains("\"status\":\"success\"");
    assertThat(workerdProcessesUnder(dataDir)).as("a running workerd").isNotEmpty();

    Process gateway = gateways.get(0);
    new ProcessBuilder("kill", "-TERM", Long.toString(gateway.pid())).start().waitFor();

    assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
    assertThat(gateway.exitValue()).isZero();
    assertThat(workerdProcessesUnder(dataDir)).isEmpty();
  }

  @Test
  void theAdminTokenGuardsTheAdminApiOnly() throws Exception {
    int port = startGateway("--admin-token", "s3cret");
    String deploy = "curl -s -o /dev/null -w '%{http_code}' 127.0.0.1:" + port + "/api/deploy/hello"
        + " -H 'Content-Type: application/json' -d '{\"code\":\"addEventListener(\\\"fetch\\\", e => e.respondWith(new Response(\\\"hi\\\")))\"}'";

    assertThat(bash(deploy)).isEqualTo("401");
    assertThat(bash(deploy + " -H 'Authorization: Bearer s3cret'")).isEqualTo("200");
    assertThat(get(port, "hello.func.local").body()).isEqualTo("hi");
  }

  @Test
  void helpPrintsTheOptionsAndBadFlagsExitTwo() throws Exception {
    Path jar = Path.of(System.getProperty("faas4j.gateway.jar"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process help = new ProcessBuilder(java, "-jar", jar.toString(), "--help").redirectErrorStream(true).start();
    String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(help.waitFor()).isZero();
    assertThat(text).contains("--port", "--bind", "--domain", "--data-dir", "--idle-timeout", "--admin-token", "--jdbc-url");

    Process bad = new ProcessBuilder(java, "-jar", jar.toString(), "--idle-timeout", "soon").redirectErrorStream(true).start();
    String error = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bad.waitFor()).isEqualTo(2);
    assertThat(error).contains("--idle-timeout");
  }

  /** Functions, versions, aliases and latest pointers, without the run-time state of each version. */
  private static JsonNode definitions(int port) throws Exception {
    JsonNode body = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/functions")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    for (JsonNode function : body.path("functions")) {
      for (JsonNode version : function.path("versions")) {
        ((ObjectNode) version).remove(List.of("state", "activeRequests", "detail", "accessUrl"));
      }
    }
    return body;
  }

  private static HttpResponse<String> get(int port, String host) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Host", host)
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String bash(String command) throws Exception {
    Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished: " + command).isTrue();
    return output.strip();
  }

  /** PIDs of workerd processes whose command line mentions {@code dir}. */
  static List<Long> workerdProcessesUnder(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (cmdline.contains("workerd") && cmdline.contains(dir.toString()) && !cmdline.contains("faas-gateway.jar")) {
            pids.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException gone) {
          // the process exited while we looked
        }
      }
    }
    return pids;
  }
}
