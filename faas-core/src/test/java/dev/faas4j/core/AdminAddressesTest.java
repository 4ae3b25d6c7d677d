package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The admin API mounted somewhere else than {@code /api}, under a context path: its messages name
 * the real prefix, and the URLs it answers with come from the request that asked (or from the
 * configured public base URL), in the host form and, with a mount path, the path form.
 */
class AdminAddressesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CODE = "{\"runtime\":\"js\",\"code\":\"hello\",\"version\":\"v1\"}";

  private static FaasBuilder faas() {
    InMemoryProvider provider = new InMemoryProvider(spec -> request -> FunctionResponse.ok("from " + spec.code()), "js");
    return Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO);
  }

  @Test
  void anUnknownAdminPathNamesThePrefixTheServletIsMountedAt() throws Exception {
    try (JettyHarness http = new JettyHarness(faas().build(), AdminAuthenticator.none(), "/shop", "/faas4j/api")) {
      HttpResponse<String> response = http.admin("GET", "/nope", null);

      assertThat(response.statusCode()).as("body: %s", response.body()).isEqualTo(404);
      assertThat(JSON.readTree(response.body()).path("error").asText())
          .as("the message names the context path and servlet path the request came through")
          .contains("GET /shop/faas4j/api/nope")
          .doesNotContain(" /api/");
    }
  }

  @Test
  void aWrongMethodNamesThePrefixTheServletIsMountedAt() throws Exception {
    try (JettyHarness http = new JettyHarness(faas().build(), AdminAuthenticator.none(), "", "/faas4j/api")) {
      HttpResponse<String> response = http.admin("PUT", "/functions", "{}");

      assertThat(response.statusCode()).as("body: %s", response.body()).isEqualTo(405);
      assertThat(JSON.readTree(response.body()).path("error").asText())
          .as("405 message")
          .contains("not allowed on /faas4j/api/functions;");
    }
  }

  @Test
  void urlsComeFromTheAdminRequestWhenNothingIsConfigured() throws Exception {
    try (JettyHarness http = new JettyHarness(faas().mountPath("/fn").build(), AdminAuthenticator.none(), "/shop",
        "/faas4j/api")) {
      JsonNode deployed = ok(http.admin("POST", "/deploy/hello", CODE));

      assertThat(deployed.path("accessUrl").asText()).as("host form, on the port the admin request used: %s", deployed)
          .isEqualTo("http://v1.hello.func.local:" + http.port());
      String pathUrl = deployed.path("pathUrl").asText();
      assertThat(pathUrl).as("path form, on the request's host and port, under the context path: %s", deployed)
          .isEqualTo("http://127.0.0.1:" + http.port() + "/shop/fn/hello@v1/");

      HttpResponse<String> called = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(pathUrl)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(called.body()).as("GET %s (status %d)", pathUrl, called.statusCode()).isEqualTo("from hello");
    }
  }

  @Test
  void aConfiguredPublicBaseUrlWinsOverTheRequest() throws Exception {
    Faas faas = faas().mountPath("/fn").publicBaseUrl(URI.create("https://app.example.com:8443/base/")).build();
    try (JettyHarness http = new JettyHarness(faas, AdminAuthenticator.none(), "", "/api")) {
      JsonNode deployed = ok(http.admin("POST", "/deploy/hello", CODE));
      JsonNode rolledBack = ok(http.admin("POST", "/rollback/hello", "{\"version\":\"v1\"}"));
      JsonNode version = ok(http.admin("GET", "/functions/hello", null)).path("function").path("versions").path(0);

      for (JsonNode answer : new JsonNode[] {deployed, rolledBack, version}) {
        assertThat(answer.path("accessUrl").asText()).as("accessUrl in %s", answer)
            .isEqualTo("https://v1.hello.func.local:8443");
        assertThat(answer.path("pathUrl").asText()).as("pathUrl in %s", answer)
            .isEqualTo("https://app.example.com:8443/base/fn/hello@v1/");
      }
    }
  }

  @Test
  void withoutAMountPathAnswersKeepTheirOldShape() throws Exception {
    try (JettyHarness http = new JettyHarness(faas().build())) {
      JsonNode deployed = ok(http.admin("POST", "/deploy/hello", CODE));
      JsonNode listed = ok(http.admin("GET", "/functions", null)).path("functions").path(0).path("versions").path(0);

      assertThat(deployed.has("pathUrl")).as("no path form without a mount path: %s", deployed).isFalse();
      assertThat(listed.has("pathUrl")).as("no path form without a mount path: %s", listed).isFalse();
      assertThat(listed.path("accessUrl").asText()).as("listed version: %s", listed)
          .isEqualTo("http://v1.hello.func.local:" + http.port());
    }
  }

  @Test
  void deployingFromCodeUsesTheConfiguredAddressesOnly() {
    try (Faas configured = faas().mountPath("/fn").publicBaseUrl(URI.create("http://localhost:8080")).build();
        Faas bare = faas().mountPath("/fn").build()) {
      Deployment withBase = configured.deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
      Deployment withNothing = bare.deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);

      assertThat(withBase.accessUrl()).isEqualTo("http://v1.hello.func.local:8080");
      assertThat(withBase.pathUrl()).isEqualTo("http://localhost:8080/fn/hello@v1/");
      assertThat(withNothing.accessUrl()).as("no request and nothing configured: port 80")
          .isEqualTo("http://v1.hello.func.local");
      assertThat(withNothing.pathUrl()).as("the application's host is unknown").isNull();
    }
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as("status; body: %s", response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
