package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outbound fetches from a function to a server on 127.0.0.1. */
class WorkerdNetworkTest {

  @TempDir
  Path dataDir;

  HttpServer server;
  WorkerdProvider provider;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "secret from loopback".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.close();
    }
    server.stop(0);
  }

  private FunctionSpec fetcher(NetworkPolicy policy) {
    return FunctionSpec.builder("fetcher").version("v1")
        .code("export default { async fetch(request, env) {\n"
            + "  try { const r = await fetch(env.TARGET); return new Response('reached: ' + await r.text()); }\n"
            + "  catch (e) { return new Response('blocked: ' + e, { status: 502 }); }\n} };\n")
        .env("TARGET", "http://127.0.0.1:" + server.getAddress().getPort() + "/")
        .network(policy)
        .build();
  }

  @Test
  void loopbackIsBlockedByDefault() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = fetcher(null);
    provider.deploy(spec);

    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/");

    assertThat(response.body()).as("fetch to 127.0.0.1 under the default policy").startsWith("blocked: ");
    assertThat(response.statusCode()).as("status").isEqualTo(502);
  }

  @Test
  void loopbackIsReachableWhenTheFunctionAllowsLocal() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = fetcher(new NetworkPolicy(List.of("local"), List.of()));
    provider.deploy(spec);

    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/");

    assertThat(response.body()).as("fetch to 127.0.0.1 with allow=[local]").isEqualTo("reached: secret from loopback");
  }

  @Test
  void theProviderDefaultPolicyAppliesToFunctionsWithoutOne() throws Exception {
    provider = TestWorkerd.builder(dataDir).defaultNetwork(new NetworkPolicy(List.of("127.0.0.0/8"), List.of())).build();
    FunctionSpec spec = fetcher(null);
    provider.deploy(spec);

    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/");

    assertThat(response.body()).as("fetch with a provider default allowing 127.0.0.0/8")
        .isEqualTo("reached: secret from loopback");
  }

  @Test
  void denyWinsOverAllow() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = fetcher(new NetworkPolicy(List.of("local"), List.of("127.0.0.1/32")));
    provider.deploy(spec);

    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/");

    assertThat(response.body()).as("fetch with allow=[local], deny=[127.0.0.1/32]").startsWith("blocked: ");
  }
}
