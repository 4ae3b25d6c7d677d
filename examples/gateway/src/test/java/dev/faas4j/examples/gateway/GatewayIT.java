package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real gateway jar as a child process: the README tour over real HTTP, then a SIGKILL and a
 * restart on the same data dir, then a clean SIGTERM shutdown.
 */
class GatewayIT {

  @TempDir
  Path dataDir;

  private final List<GatewayProcess> gateways = new ArrayList<>();

  @AfterEach
  void stopGateways() throws Exception {
    for (GatewayProcess gateway : gateways) {
      gateway.close(); // SIGTERM: an orderly stop that ends its workerd processes
    }
    assertThat(workerdProcessesUnder(dataDir)).as("workerd processes left under " + dataDir).isEmpty();
  }

  /** Starts the jar with a free port and returns the port it reports. */
  private int startGateway(String... extraArgs) throws Exception {
    GatewayProcess gateway = GatewayProcess.start(dataDir, extraArgs);
    gateways.add(gateway);
    return gateway.port();
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

    gateways.get(0).kill();
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

  /**
   * What a real workerd function sees of its caller, end to end: the gateway option, the Faas
   * setting and the proxy together. The client claims an earlier hop of its own.
   */
  @ParameterizedTest(name = "--forwarded-headers {0}")
  @ValueSource(booleans = {true, false})
  void functionsAreToldWhoCalledThemUnlessTheGatewayIsToldNotTo(boolean forwarded) throws Exception {
    int port = startGateway("--forwarded-headers", Boolean.toString(forwarded));
    String code = "addEventListener(\"fetch\", e => e.respondWith(new Response("
        + "[\"x-forwarded-for\", \"x-forwarded-proto\", \"x-forwarded-host\"]"
        + ".map(h => e.request.headers.get(h) ?? \"-\").join(\"|\"))))"; // "-": the header is absent
    assertThat(gateways.get(0).admin("POST", "/deploy/who",
        GatewayProcess.JSON.writeValueAsString(java.util.Map.of("code", code))).statusCode()).as("deploy").isEqualTo(200);

    String seen = bash("curl -s -H 'Host: who.func.local' -H 'X-Forwarded-For: 203.0.113.7' 127.0.0.1:" + port + "/");

    assertThat(seen).as("X-Forwarded-For|-Proto|-Host seen by the function")
        .isEqualTo(forwarded ? "203.0.113.7, 127.0.0.1|http|who.func.local" : "-|-|-");
  }

  @Test
  void sigtermStopsEveryWorkerdProcessAndExitsZero() throws Exception {
    int port = startGateway();
    assertThat(bash("curl -s 127.0.0.1:" + port + "/api/deploy/hello -H 'Content-Type: application/json'"
        + " -d '{\"code\":\"addEventListener(\\\"fetch\\\", e => e.respondWith(new Response(\\\"hi\\\")))\"}'"))
        .contains("\"status\":\"success\"");
    assertThat(workerdProcessesUnder(dataDir)).as("a running workerd").isNotEmpty();

    Process gateway = gateways.get(0).process();
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
    HttpResponse<String> answer = get(port, "hello.func.local");
    assertThat(answer.body()).isEqualTo("hi");
    assertThat(answer.headers().firstValue("Server")).as("no server software or version advertised").isEmpty();
    assertThat(bash("curl -s -D - -o /dev/null 127.0.0.1:" + port + "/api/functions")).as("the admin API's 401")
        .contains("401").doesNotContainIgnoringCase("server:");
  }

  @Test
  void basicAuthAndATokenTogetherEachOpenTheAdminApiAndTheChallengeNamesBoth() throws Exception {
    startGateway("--admin-token", "s3cret", "--admin-basic", "ada:pw");
    GatewayProcess gateway = gateways.get(0);
    String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("ada:pw".getBytes(StandardCharsets.UTF_8));

    HttpResponse<String> refused = gateway.admin("GET", "/functions", null, "Authorization", "Basic d3Jvbmc6d3Jvbmc=");
    assertThat(refused.statusCode()).as("wrong basic credentials").isEqualTo(401);
    assertThat(refused.headers().allValues("WWW-Authenticate")).as("challenges")
        .anySatisfy(v -> assertThat(v).contains("Bearer realm=", "Basic realm="));
    assertThat(gateway.admin("GET", "/functions", null, "Authorization", basic).statusCode()).as("with basic").isEqualTo(200);
    assertThat(gateway.admin("GET", "/functions", null, "Authorization", "Bearer s3cret").statusCode()).as("with the token")
        .isEqualTo(200);
  }

  @Test
  void helpPrintsTheOptionsAndBadFlagsExitTwo() throws Exception {
    Path jar = Path.of(System.getProperty("faas4j.gateway.jar"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process help = new ProcessBuilder(java, "-jar", jar.toString(), "--help").redirectErrorStream(true).start();
    String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(help.waitFor()).isZero();
    assertThat(text).contains("--port", "--bind", "--domain", "--data-dir", "--idle-timeout", "--admin-token", "--admin-basic", "--jdbc-url",
        "--request-timeout", "--start-timeout", "--max-body-bytes", "--db-busy-timeout", "--mount-path", "--docker-host");

    Process bad = new ProcessBuilder(java, "-jar", jar.toString(), "--idle-timeout", "soon").redirectErrorStream(true).start();
    String error = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bad.waitFor()).isEqualTo(2);
    assertThat(error).contains("--idle-timeout");
  }

  private JsonNode definitions(int port) throws Exception {
    return gateways.stream().filter(g -> g.port() == port).findFirst().orElseThrow().definitions();
  }

  private HttpResponse<String> get(int port, String host) throws Exception {
    return gateways.stream().filter(g -> g.port() == port).findFirst().orElseThrow().get(host);
  }

  private static List<Long> workerdProcessesUnder(Path dir) throws Exception {
    return GatewayProcess.workerdProcessesUnder(dir);
  }

  private static String bash(String command) throws Exception {
    return GatewayProcess.bash(command);
  }
}
