package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.testing.InMemoryProvider;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The web console's server side: its static files are served to anyone, with a strict
 * Content-Security-Policy and nothing else from the class path; every data call needs the admin
 * credentials; the two routes it adds (a version's code, an invoke) answer as documented.
 * (The console itself is driven in a real Chromium by examples/gateway's ConsoleIT.)
 */
class ConsoleTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  private static final String AUTH = "Bearer s3cret";

  /** Runtime "js" in process: answers "{code} {method} {path} {body}" with the X-Seen header it was sent. */
  private final InMemoryProvider provider = new InMemoryProvider(spec -> request -> new FunctionResponse(
      spec.code().equals("broken") ? 503 : 201,
      Map.of("X-Seen", List.of(String.valueOf(request.header("X-Probe")))),
      (spec.code() + " " + request.method() + " " + request.path() + " " + request.bodyAsString())
          .getBytes(StandardCharsets.UTF_8)), "js");
  private JettyHarness http;

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
  }

  private JettyHarness start(String contextPath, String adminPrefix) throws Exception {
    return start(Faas.builder(), contextPath, adminPrefix);
  }

  private JettyHarness start(FaasBuilder builder, String contextPath, String adminPrefix) throws Exception {
    http = new JettyHarness(builder.provider(provider).maintenanceInterval(Duration.ZERO).build(),
        AdminAuthenticator.bearerToken("s3cret"), contextPath, adminPrefix);
    return http;
  }

  @Test
  void withMetricsEachVersionCountsItsRequestsAndErrorsForTheConsolesRates() throws Exception {
    start(Faas.builder().meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), "", "/api");
    http.admin("POST", "/deploy/hello", "{\"code\":\"one\",\"version\":\"v1\"}", "Authorization", AUTH);
    http.admin("POST", "/deploy/hello", "{\"code\":\"broken\",\"version\":\"v2\"}", "Authorization", AUTH);
    for (String host : new String[] {"v1.hello.func.local", "v1.hello.func.local", "v2.hello.func.local"}) {
      http.get(host, "/");
    }
    JsonNode versions = JSON.readTree(http.admin("GET", "/functions", null, "Authorization", AUTH).body())
        .path("functions").path(0).path("versions");
    assertThat(versions.path(0).path("requests").asLong()).as("v1's requests: %s", versions).isEqualTo(2);
    assertThat(versions.path(0).path("errors").asLong()).as("v1's errors").isZero();
    assertThat(versions.path(1).path("requests").asLong()).as("v2's requests").isEqualTo(1);
    assertThat(versions.path(1).path("errors").asLong()).as("v2's 503 is an error").isEqualTo(1);
  }

  @Test
  void withoutMetricsNoCountsAreShown() throws Exception {
    start("", "/api");
    http.admin("POST", "/deploy/hello", "{\"code\":\"one\",\"version\":\"v1\"}", "Authorization", AUTH);
    JsonNode version = JSON.readTree(http.admin("GET", "/functions/hello", null, "Authorization", AUTH).body())
        .path("function").path("versions").path(0);
    assertThat(version.has("requests")).as("requests without a registry: %s", version).isFalse();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theConsoleFilesAreServedWithoutCredentialsUnderAStrictContentSecurityPolicy() throws Exception {
    start("", "/api");
    Map<String, String> types = Map.of("/api/console/", "text/html", "/api/console/index.html", "text/html",
        "/api/console/app.js", "text/javascript", "/api/console/api.js", "text/javascript",
        "/api/console/console.css", "text/css");
    for (Map.Entry<String, String> file : types.entrySet()) {
      HttpResponse<String> response = get(file.getKey());
      assertThat(response.statusCode()).as("GET %s without credentials", file.getKey()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).as("type of " + file.getKey())
          .hasValueSatisfying(type -> assertThat(type).startsWith(file.getValue()));
      assertThat(response.headers().firstValue("Content-Security-Policy")).as("CSP of " + file.getKey()).hasValue(CSP);
      assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
      assertThat(response.body()).as("body of " + file.getKey()).isNotBlank();
    }
  }

  @Test
  void everyDataCallOfTheConsoleNeedsTheToken() throws Exception {
    start("", "/api");
    http.admin("POST", "/deploy/hello", "{\"code\":\"one\",\"version\":\"v1\"}", "Authorization", AUTH);
    String[][] calls = {
        {"GET", "/functions", null},
        {"GET", "/functions/hello", null},
        {"GET", "/functions/hello/versions/v1", null},
        {"POST", "/functions/hello/invoke", "{\"method\":\"GET\",\"path\":\"/\"}"},
        {"GET", "/functions/hello/logs?follow=true", null},
        {"POST", "/console/", "{}"},
    };
    for (String[] call : calls) {
      HttpResponse<String> response = http.admin(call[0], call[1], call[2]);
      assertThat(response.statusCode()).as("%s %s without the token: %s", call[0], call[1], response.body())
          .isEqualTo(401);
      HttpResponse<String> wrong = http.admin(call[0], call[1], call[2], "Authorization", "Bearer nope");
      assertThat(wrong.statusCode()).as("%s %s with a wrong token", call[0], call[1]).isEqualTo(401);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/api/console/nope.js", "/api/console/..%2fapi.js", "/api/console/%2e%2e/functions",
      "/api/console/..%2F..%2Fpom.xml", "/api/console/%2e%2e%2fconsole%2fapp.js", "/api/console/app.js/",
      "/api/console/index.html/app.js", "/api/console/ConsoleFiles.class", "/api/console/%61pp.js",
      "/api/console/./app.js", "/api/console//app.js",
      "/api/console/dev/faas4j/core/console/app.js", "/api/console/app.js;x=1", "/api/console/%2fapp.js"})
  void anyOtherPathUnderTheConsoleIsNotFoundNorReadFromTheClassPath(String path) throws Exception {
    start("", "/api");
    String answer = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    String status = answer.substring(0, answer.indexOf("\r\n"));
    assertThat(status).as("GET %s answered:%n%s", path, answer).matches("HTTP/1.1 (400|404) .*");
    assertThat(answer).as("GET " + path).doesNotContain("export ").doesNotContain("faas4j console")
        .doesNotContain("sessionStorage").doesNotContain("functions\":");
  }

  @Test
  void theConsoleWithoutItsSlashIsRedirectedToItsDirectory() throws Exception {
    start("", "/api");
    HttpResponse<String> response = get("/api/console");
    assertThat(response.statusCode()).isEqualTo(301);
    assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/api/console/"));
  }

  @Test
  void aBrowserThatHasTheFileGetsNotModified() throws Exception {
    start("", "/api");
    String etag = get("/api/console/app.js").headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = get("/api/console/app.js", "If-None-Match", etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void theConsoleIsWhereverTheAdminServletIsMounted() throws Exception {
    start("/app", "/faas4j/api");
    HttpResponse<String> index = get("/app/faas4j/api/console/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Security-Policy")).hasValue(CSP);
    assertThat(http.admin("GET", "/functions", null).statusCode()).isEqualTo(401);
  }

  @Test
  void theFilesHaveNoInlineCodeNoInlineStyleAndNoOtherOrigin() throws Exception {
    start("", "/api");
    String html = get("/api/console/").body();
    assertThat(html).as("index.html: scripts come from files").doesNotContainPattern("<script(?![^>]*\\ssrc=)")
        .doesNotContain("<style").doesNotContain("style=").doesNotContainPattern("\\son[a-z]+=");
    for (String file : new String[] {"index.html", "app.js", "api.js", "views.js", "function-page.js", "dom.js",
        "console.css"}) {
      String text = get("/api/console/" + file).body();
      assertThat(text).as(file + " names no other origin").doesNotContain("http://").doesNotContain("https://")
          .doesNotContain("//cdn");
      assertThat(text).as(file + " builds no markup from strings").doesNotContain("innerHTML")
          .doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML").doesNotContain("eval(");
      assertThat(text).as(file + " keeps the token out of URLs and cookies").doesNotContain("document.cookie")
          .doesNotContain("localStorage");
    }
  }

  @Test
  void aVersionShowsItsCodeAndTheNamesOfItsEnvVarsButNotTheirValues() throws Exception {
    start("", "/api");
    http.admin("POST", "/deploy/hello", "{\"code\":\"one\",\"version\":\"v1\",\"env_vars\":{\"B_KEY\":\"hidden-b\","
        + "\"A_KEY\":\"hidden-a\"}}", "Authorization", AUTH);
    HttpResponse<String> response = http.admin("GET", "/functions/hello/versions/V1", null, "Authorization", AUTH);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode version = JSON.readTree(response.body()).path("version");
    assertThat(version.path("version").asText()).isEqualTo("v1");
    assertThat(version.path("code").asText()).isEqualTo("one");
    assertThat(version.path("runtime").asText()).isEqualTo("js");
    assertThat(JSON.convertValue(version.path("env"), List.class)).isEqualTo(List.of("A_KEY", "B_KEY"));
    assertThat(response.body()).doesNotContain("hidden-a").doesNotContain("hidden-b");

    HttpResponse<String> missing = http.admin("GET", "/functions/hello/versions/v9", null, "Authorization", AUTH);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(missing.body()).path("error").asText()).isEqualTo("function hello has no version 'v9'");
  }

  @Test
  void invokeAnswersWhatTheFunctionAnswered() throws Exception {
    start("", "/api");
    http.admin("POST", "/deploy/hello", "{\"code\":\"one\",\"version\":\"v1\"}", "Authorization", AUTH);
    http.admin("POST", "/deploy/hello", "{\"code\":\"two\",\"version\":\"v2\"}", "Authorization", AUTH);
    HttpResponse<String> response = http.admin("POST", "/functions/hello/invoke", "{\"method\":\"PUT\","
        + "\"path\":\"/x?y=1\",\"headers\":{\"X-Probe\":\"p\"},\"body\":\"héllo\",\"version\":\"v1\"}",
        "Authorization", AUTH);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(response.body()).path("response");
    assertThat(answer.path("status").asInt()).isEqualTo(201);
    assertThat(answer.path("body").asText()).isEqualTo("one PUT /x héllo");
    assertThat(answer.path("bodyEncoding").asText()).isEqualTo("utf-8");
    assertThat(answer.path("headers").path("X-Seen").get(0).asText()).isEqualTo("p");

    JsonNode latest = JSON.readTree(http.admin("POST", "/functions/hello/invoke",
        "{\"method\":\"GET\",\"path\":\"/\"}", "Authorization", AUTH).body());
    assertThat(latest.path("response").path("body").asText()).as("no version: the latest").isEqualTo("two GET / ");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"path\":\"/\"}", "{\"method\":\"GET\"}", "{\"method\":\"GET\",\"path\":\"nope\"}",
      "{\"method\":\"G T\",\"path\":\"/\"}", "{\"method\":\"GET\",\"path\":\"/\",\"extra\":1}",
      "{\"method\":\"GET\",\"path\":\"/\",\"headers\":[]}", "{\"method\":\"GET\",\"path\":\"/\",\"headers\":{\"a b\":\"x\"}}",
      "{\"method\":\"GET\",\"path\":\"/\",\"headers\":{\"X\":\"a\\r\\nB: c\"}}",
      "{\"method\":\"GET\",\"path\":\"/\",\"headers\":{\"X\":1}}", "{\"method\":\"GET\",\"path\":\"/\",\"version\":\"no.pe\"}"})
  void aBadInvokeIsRefusedWithAClearMessage(String body) throws Exception {
    start("", "/api");
    http.admin("POST", "/deploy/hello", "{\"code\":\"one\",\"version\":\"v1\"}", "Authorization", AUTH);
    HttpResponse<String> response = http.admin("POST", "/functions/hello/invoke", body, "Authorization", AUTH);
    assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).path("error").asText()).isNotBlank().doesNotContain("Exception");
  }

  @Test
  void invokingAnUnknownFunctionIsNotFound() throws Exception {
    start("", "/api");
    HttpResponse<String> response = http.admin("POST", "/functions/nobody/invoke", "{\"method\":\"GET\",\"path\":\"/\"}",
        "Authorization", AUTH);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
  }

  private String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
