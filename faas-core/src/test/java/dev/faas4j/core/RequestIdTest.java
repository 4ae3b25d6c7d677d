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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every function request carries an {@code X-Request-Id}: the client's when sane, else a new one;
 * the function gets it, and the answer and every JSON error carry it.
 */
class RequestIdTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();
  /** Answers with the id it received. */
  private final InMemoryProvider provider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(
      request.headers().getOrDefault("X-Request-Id", List.of("none")).get(0)));
  private JettyHarness http;

  @BeforeEach
  void start() throws Exception {
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO)
        .proxy(proxy -> proxy.maxRequestBodyBytes(8)).build());
    http.faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version("v1").code("x").build(),
        null);
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
  }

  private HttpResponse<String> get(String host, String requestId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(http.uri("/")).header("Host", host);
    if (requestId != null) {
      request.header("X-Request-Id", requestId);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSaneClientIdReachesTheFunctionAndComesBack() throws Exception {
    HttpResponse<String> response = get("hello.func.local", "abc-123_x.y");

    assertThat(response.body()).as("the id the function got").isEqualTo("abc-123_x.y");
    assertThat(response.headers().firstValue("X-Request-Id")).hasValue("abc-123_x.y");
  }

  @Test
  void anAbsentOrInsaneIdIsReplacedByANewOne() throws Exception {
    for (String insane : new String[] {null, "", "has space", "x".repeat(129), "semi;colon", "é"}) {
      HttpResponse<String> response = get("hello.func.local", insane);

      String id = response.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(id).as("replacing %s", insane).matches("[0-9a-f]{32}").isNotEqualTo(insane);
      assertThat(response.body()).as("the id the function got").isEqualTo(id);
    }
    assertThat(get("hello.func.local", null).headers().firstValue("X-Request-Id"))
        .as("a new id each time").isNotEqualTo(get("hello.func.local", null).headers().firstValue("X-Request-Id"));
  }

  @Test
  void everyJsonErrorNamesTheRequestId() throws Exception {
    HttpResponse<String> unknownVersion = get("v9.hello.func.local", "req-1");
    HttpResponse<String> unknownFunction = get("nope.func.local", "req-2");
    HttpResponse<String> tooLarge = client.send(HttpRequest.newBuilder(http.uri("/")).header("Host", "hello.func.local")
        .header("X-Request-Id", "req-3").POST(HttpRequest.BodyPublishers.ofString("0123456789")).build(),
        HttpResponse.BodyHandlers.ofString());

    Map<String, HttpResponse<String>> errors = Map.of("req-1", unknownVersion, "req-2", unknownFunction, "req-3", tooLarge);
    errors.forEach((id, response) -> {
      assertThat(response.statusCode()).isGreaterThanOrEqualTo(400);
      JsonNode body = parse(response.body());
      assertThat(body.path("status").asText()).isEqualTo("error");
      assertThat(body.path("requestId").asText()).as(response.body()).isEqualTo(id);
      assertThat(response.headers().firstValue("X-Request-Id")).hasValue(id);
    });
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
