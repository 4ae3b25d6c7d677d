package dev.faas4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasHandler;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kit on real workerd, as a user's test would use it: a streamed answer from a JavaScript
 * function, through a real Jetty server, read whole by {@link FunctionClient}.
 */
class FunctionClientWorkerdTest {

  @RegisterExtension
  static final FaasExtension WORKERD = FaasExtension.workerd();

  @Test
  void aStreamedAnswerIsReadWhole(Faas faas) throws Exception {
    faas.deploy(FunctionSpec.builder("stream").version("v1").code("""
        export default {
          fetch() {
            const parts = ["one ", "two ", "three"];
            const body = new ReadableStream({
              pull(controller) {
                const next = parts.shift();
                if (next === undefined) { controller.close(); } else { controller.enqueue(new TextEncoder().encode(next)); }
              }
            });
            return new Response(body, { headers: { "X-Kind": "stream" } });
          }
        }
        """).build(), null);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(new FaasHandler(faas));
    server.start();
    try {
      FunctionResponse answer = FunctionClient.of(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
          .get("stream.func.local", "/");

      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.header("X-Kind")).isEqualTo("stream");
      assertThat(answer.bodyAsString()).isEqualTo("one two three");
    } finally {
      server.stop();
    }
  }
}
