package dev.faas4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.RefusedPort;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasHandler;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FunctionClient} against a real Jetty server with {@link FaasHandler}: calls by Host header. */
class FunctionClientTest {

  @RegisterExtension
  final FaasExtension inMemory = FaasExtension.inMemory()
      .handler("echo", request -> new FunctionResponse(201, Map.of("X-Seen-Host", List.of(request.header("Host"))),
          (request.method() + " " + request.path() + "?" + request.query() + " " + request.bodyAsString()
              + " a=" + request.header("X-A")).getBytes(StandardCharsets.UTF_8)));

  private Server server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private FunctionClient serve(Faas faas) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(new FaasHandler(faas));
    server.start();
    return FunctionClient.of(URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  @Test
  void theHostHeaderPicksTheVersion() throws Exception {
    Faas faas = inMemory.faas();
    faas.deploy(FunctionSpec.builder("hello").runtime("java").version("v1").code("echo").build(), null);
    FunctionClient client = serve(faas);

    FunctionResponse answer = client.get("v1.hello.func.local", "/p/q?x=1");

    assertThat(answer.status()).isEqualTo(201);
    assertThat(answer.header("x-seen-host")).isEqualTo("v1.hello.func.local");
    assertThat(answer.bodyAsString()).isEqualTo("GET /p/q?x=1  a=null");
  }

  @Test
  void aRequestWithBodyAndHeadersCrosses() throws Exception {
    Faas faas = inMemory.faas();
    faas.deploy(FunctionSpec.builder("hello").runtime("java").version("v1").code("echo").build(), null);
    FunctionClient client = serve(faas);

    FunctionResponse answer = client.send("hello.func.local",
        FunctionRequest.post("/in", "ünïcode body").withHeader("X-A", "1").withHeader("Host", "ignored.example"));

    assertThat(answer.bodyAsString()).isEqualTo("POST /in? ünïcode body a=1");
    assertThat(answer.header("X-Seen-Host")).as("the host given to send() wins").isEqualTo("hello.func.local");
  }

  @Test
  void anUnknownFunctionIsTheGatewaysJson404() throws Exception {
    FunctionClient client = serve(inMemory.faas());

    FunctionResponse answer = client.get("nobody.func.local", "/");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    assertThat(answer.bodyAsString()).contains("\"status\":\"error\"", "nobody");
  }

  @Test
  void aServerThatIsNotThereIsAClearFailure() throws Exception {
    try (RefusedPort closed = new RefusedPort()) {
      FunctionClient client = FunctionClient.of(URI.create("http://127.0.0.1:" + closed.port()));

      assertThatThrownBy(() -> client.get("hello.func.local", "/")).isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("hello.func.local/");
    }
  }

  @Test
  void onlyPlainHttpServersAreAccepted() {
    assertThatThrownBy(() -> FunctionClient.of(URI.create("https://example.com")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
