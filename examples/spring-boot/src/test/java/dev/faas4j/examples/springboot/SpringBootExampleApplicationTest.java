package dev.faas4j.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole application on a random port with the real workerd, configured by the starter from
 * {@code application.properties} alone ({@code faas4j.admin.token}; the test adds a data directory
 * and a mount path): functions are deployed through the admin API under {@code /faas4j/api} and
 * called by Host and by path through the application's own port, next to its own
 * {@code /api/hello}. {@link DirtiesContext} closes the application after the class, and
 * {@link NoLeftovers} then checks that no workerd process or thread is left.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.banner-mode=off", "faas4j.idle-timeout=5m", "faas4j.mount-path=/fn"})
@DirtiesContext
@ExtendWith(Workerd.class)
class SpringBootExampleApplicationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dataDir;

  @LocalServerPort
  int port;

  /** From application.properties: the one faas4j setting of the application. */
  @Value("${faas4j.admin.token}")
  String token;

  @DynamicPropertySource
  static void faasProperties(DynamicPropertyRegistry registry) {
    registry.add("faas4j.data-dir", () -> dataDir.toString());
    // Tomcat's work directory, which would otherwise be left in the system's temp dir.
    registry.add("server.tomcat.basedir", () -> dataDir.resolve("tomcat").toString());
  }

  @Test
  void theAppsOwnApiAnswersNextToTheAdminApi() throws Exception {
    HttpResponse<String> response = get("localhost", "/api/hello?name=Ada");

    assertThat(response.statusCode()).as("GET /api/hello: %s", response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body())).as("GET /api/hello")
        .isEqualTo(JSON.valueToTree(Map.of("message", "hello, Ada", "from", "spring-boot")));
  }

  @Test
  void theAdminApiWantsTheToken() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/functions")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("no token: %s", response.body()).isEqualTo(401);
  }

  @Test
  void aDeployedFunctionAnswersByHostAndByPathAtTheUrlsTheDeployNamed() throws Exception {
    JsonNode deployed = deploy("tour", "v1",
        "export default { fetch(request) { return new Response(\"tour at \" + new URL(request.url).pathname) } }");

    assertThat(deployed.path("accessUrl").asText()).as("on the application's port: %s", deployed)
        .isEqualTo("http://v1.tour.func.local:" + port);
    assertThat(deployed.path("pathUrl").asText()).as("path form: %s", deployed)
        .isEqualTo("http://127.0.0.1:" + port + "/fn/tour@v1/");
    assertThat(get("v1.tour.func.local", "/a").body()).as("by Host").isEqualTo("tour at /a");
    assertThat(get("127.0.0.1", "/fn/tour@v1/b").body()).as("by path").isEqualTo("tour at /b");
    assertThat(get("127.0.0.1", "/fn/tour/c").body()).as("latest, by path").isEqualTo("tour at /c");
  }

  @Test
  void aFunctionDeployedThroughTheAdminApiAnswersAtItsVersionHost() throws Exception {
    JsonNode deployed = deploy("hello", "v1",
        "addEventListener(\"fetch\", e => e.respondWith(new Response(\"hello from v1\")))");
    assertThat(deployed.path("subdomain").asText()).as("deploy answer: %s", deployed).isEqualTo("v1.hello.func.local");

    HttpResponse<String> response = get("v1.hello.func.local", "/");

    assertThat(response.statusCode()).as("GET / at v1.hello.func.local: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).as("body from the function").isEqualTo("hello from v1");
  }

  @Test
  void aFunctionHostOwnsEveryPathIncludingTheControllers() throws Exception {
    deploy("paths", "v1",
        "export default { fetch(request) { return new Response(\"function saw \" + new URL(request.url).pathname) } }");

    HttpResponse<String> response = get("paths.func.local", "/api/hello");

    assertThat(response.body()).as("GET /api/hello at paths.func.local goes to the function, not to HelloController")
        .isEqualTo("function saw /api/hello");
  }

  @Test
  void envVarsReachAnEsModuleFunction() throws Exception {
    deploy("greet", "v1", "export default { fetch(request, env) { return new Response(\"hello, \" + env.NAME) } }",
        Map.of("NAME", "Ada"));

    assertThat(get("greet.func.local", "/").body()).as("function reading env.NAME").isEqualTo("hello, Ada");
  }

  @Test
  void aLargeBodyStreamsToTheFunctionAndBackThroughTomcat() throws Exception {
    deploy("echo", "v1", "export default { fetch(request) { return new Response(request.body) } }");
    String body = "0123456789abcdef".repeat(20_000); // 320,000 bytes: several windows each way

    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url("/"))
            .header("Host", "echo.func.local")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("POST to echo.func.local").isEqualTo(200);
    assertThat(response.body()).as("the body, back byte for byte, read and written without blocking on Tomcat")
        .isEqualTo(body);
  }

  /**
   * Jetty takes {@code sendError(-1)} as an abort; Tomcat refuses it once the answer is committed,
   * so the proxy lets the async request time out there, and Tomcat closes the connection unfinished.
   */
  @Test
  void anAnswerTheFunctionBreaksOffMidwayNeverLooksCompleteOnTomcat() throws Exception {
    deploy("broken", "v1", "export default { fetch() {"
        + " const bytes = new TextEncoder().encode(\"part one;\");"
        + " const body = new ReadableStream({ start(c) { c.enqueue(bytes);"
        + " setTimeout(() => c.error(new Error(\"boom\")), 100); } });"
        + " return new Response(body); } }");

    HttpRequest request = HttpRequest.newBuilder(url("/")).header("Host", "broken.func.local")
        .timeout(Duration.ofSeconds(30)).build();

    assertThatThrownBy(() -> HTTP.send(request, HttpResponse.BodyHandlers.ofString()))
        .as("a chunked answer cut short by the function must fail at the client, not end cleanly")
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void anUnknownFunctionUnderTheDomainIsAJson404() throws Exception {
    HttpResponse<String> response = get("nobody.func.local", "/hello");

    assertThat(response.statusCode()).as("GET at nobody.func.local: %s", response.body()).isEqualTo(404);
    assertThat(JSON.readTree(response.body()).path("status").asText()).as("error body: %s", response.body())
        .isEqualTo("error");
  }

  private JsonNode deploy(String name, String version, String code) throws Exception {
    return deploy(name, version, code, Map.of());
  }

  private JsonNode deploy(String name, String version, String code, Map<String, String> env) throws Exception {
    String body = JSON.writeValueAsString(Map.of("version", version, "code", code, "env_vars", env));
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/deploy/" + name))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST /faas4j/api/deploy/%s: %s", name, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** GET through the application's port, with {@code host} as the Host header. */
  private HttpResponse<String> get(String host, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(url(path)).header("Host", host).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
