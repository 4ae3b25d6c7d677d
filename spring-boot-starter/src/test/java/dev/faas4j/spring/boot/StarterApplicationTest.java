package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.spring.boot.app.TestApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application with the starter, a token and a mount path, and no faas4j code of its own, on a
 * random port with the real workerd: it deploys through the admin API under {@code /faas4j/api},
 * serves the function by Host and by path, keeps its own {@code /api/hello}, reports faas4j's
 * health, and leaves no workerd process behind when it closes.
 */
class StarterApplicationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String TOKEN = "s3cret-token";

  @TempDir
  static Path dataDir;

  static ConfigurableApplicationContext app;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    Required.workerd();
    app = new SpringApplicationBuilder(TestApplication.class).run(
        "--server.port=0",
        "--spring.main.banner-mode=off",
        Required.withoutDataSource(),
        "--server.tomcat.basedir=" + dataDir.resolve("tomcat"),
        "--faas4j.data-dir=" + dataDir,
        "--faas4j.admin.token=" + TOKEN,
        "--faas4j.mount-path=/fn",
        "--management.endpoint.health.show-details=always");
    port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void runsOnTheSpringBootTheBuildAskedFor() {
    assertThat(SpringBootVersion.getVersion()).startsWith(Required.bootMajor() + ".");
  }

  @Test
  void aDeployedFunctionAnswersByHostAndByPathNextToTheApplicationsOwnApi() throws Exception {
    JsonNode deployed = deploy("hello", "v1",
        "addEventListener(\"fetch\", e => e.respondWith(new Response(\"hello from v1 at \" + new URL(e.request.url).pathname)))");

    assertThat(deployed.path("accessUrl").asText()).as("the port the application listens on: %s", deployed)
        .isEqualTo("http://v1.hello.func.local:" + port);
    assertThat(deployed.path("pathUrl").asText()).as("path form: %s", deployed)
        .isEqualTo("http://127.0.0.1:" + port + "/fn/hello@v1/");
    assertThat(send("hello.func.local", "/x").body()).as("by Host").isEqualTo("hello from v1 at /x");
    assertThat(send(null, "/fn/hello@v1/y").body()).as("by path").isEqualTo("hello from v1 at /y");
    HttpResponse<String> own = send(null, "/api/hello");
    assertThat(own.statusCode()).as("GET /api/hello: %s", own.body()).isEqualTo(200);
    assertThat(JSON.readTree(own.body()).path("message").asText()).isEqualTo("hello from the application");
  }

  @Test
  void theAdminApiWantsTheTokenAndNamesItsRealPrefix() throws Exception {
    HttpResponse<String> without = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/functions")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/nope"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(without.statusCode()).as("no token: %s", without.body()).isEqualTo(401);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).path("error").asText()).contains("GET /faas4j/api/nope");
  }

  @Test
  void theWebConsoleIsServedUnderTheAdminPathWithItsContentSecurityPolicy() throws Exception {
    HttpResponse<String> redirect = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/console")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/faas4j/api/console/"));
    for (String file : List.of("/faas4j/api/console/", "/faas4j/api/console/app.js")) {
      HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(url(file)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).as("%s without the token", file).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).as(file)
          .hasValueSatisfying(t -> assertThat(t).startsWith(file.endsWith("/") ? "text/html" : "text/javascript"));
      assertThat(page.headers().firstValue("Content-Security-Policy")).as(file)
          .hasValueSatisfying(csp -> assertThat(csp).startsWith("default-src 'self'").contains("frame-ancestors 'none'"));
      assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
    HttpResponse<String> data = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/functions/hello/invoke"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"method\":\"GET\",\"path\":\"/\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(data.statusCode()).as("a data call of the console without the token").isEqualTo(401);
  }

  @Test
  void healthReportsTheStoreAndTheProvider() throws Exception {
    HttpResponse<String> response = send(null, "/actuator/health/faas4j");

    assertThat(response.statusCode()).as("health: %s", response.body()).isEqualTo(200);
    JsonNode health = JSON.readTree(response.body());
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(health.path("details").path("providers").path("workerd").asText()).startsWith("usable");
    assertThat(health.path("details").has("storeRevision")).as("store read: %s", health).isTrue();
  }

  /** Runs last in its own context: closing the application stops every workerd process it started. */
  @Test
  void closingTheApplicationStopsEveryWorkerdProcess() throws Exception {
    Path otherDir = dataDir.resolve("closing");
    ConfigurableApplicationContext closing = new SpringApplicationBuilder(TestApplication.class).run(
        "--server.port=0", "--spring.main.banner-mode=off", Required.withoutDataSource(),
        "--faas4j.data-dir=" + otherDir,
        "--server.tomcat.basedir=" + otherDir.resolve("tomcat"), "--faas4j.admin.token=" + TOKEN);
    int closingPort = Integer.parseInt(closing.getEnvironment().getProperty("local.server.port"));
    List<Long> before;
    try {
      for (String name : List.of("one", "two")) {
        HttpResponse<String> deployed = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + closingPort + "/faas4j/api/deploy/" + name))
            .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("version", "v1",
                "code", "addEventListener(\"fetch\", e => e.respondWith(new Response(\"" + name + "\")))"))))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deployed.statusCode()).as("deploy %s: %s", name, deployed.body()).isEqualTo(200);
      }
      before = workerdUnder(otherDir);
      assertThat(before).as("a workerd process per deployed latest version").hasSize(2);
    } finally {
      closing.close();
    }
    Instant deadline = Instant.now().plusSeconds(15);
    while (!workerdUnder(otherDir).isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(workerdUnder(otherDir)).as("workerd processes left after the context closed (were %s)", before)
        .isEmpty();
  }

  /** Live workerd processes of this JVM whose command line names {@code dir}. */
  private static List<Long> workerdUnder(Path dir) {
    String marker = dir.toAbsolutePath().toString();
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("workerd")).orElse(false))
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  private static JsonNode deploy(String name, String version, String code) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/deploy/" + name))
        .header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("version", version, "code", code))))
        .timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("deploy %s: %s", name, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(String host, String path) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30));
    if (host != null) {
      request.header("Host", host);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
