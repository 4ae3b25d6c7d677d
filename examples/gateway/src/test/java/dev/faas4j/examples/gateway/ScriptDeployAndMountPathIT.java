package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The real gateway jar, driven with curl the way wrangler users work: a script uploaded as it is
 * ({@code --data-binary @worker.js}, {@code Content-Type: application/javascript}), and functions
 * reached by path with {@code --mount-path}, without a Host header.
 */
class ScriptDeployAndMountPathIT extends GatewayTestSupport {

  private static final String WORKER = """
      export default {
        fetch(request) {
          const url = new URL(request.url);
          return new Response("module saw " + url.pathname + url.search);
        }
      }
      """;

  @Test
  void aScriptUploadedAsItIsIsDeployedAndServedByPath() throws Exception {
    GatewayProcess gateway = start("--mount-path", "/fn");
    Files.writeString(dataDir.resolve("worker.js"), WORKER);
    String base = "127.0.0.1:" + gateway.port();

    String deployed = GatewayProcess.bash("curl -s '" + base + "/api/deploy/hello?version=v1&alias=test'"
        + " -H 'Content-Type: application/javascript' --data-binary @" + dataDir.resolve("worker.js"));

    assertThat(deployed).contains("\"status\":\"success\"", "\"version\":\"v1\"", "\"alias\":\"test\"");
    assertThat(GatewayProcess.bash("curl -s '" + base + "/fn/hello/a/b?x=1'")).as("latest, by path")
        .isEqualTo("module saw /a/b?x=1");
    assertThat(GatewayProcess.bash("curl -s '" + base + "/fn/hello@test/'")).as("the alias, by path")
        .isEqualTo("module saw /");
    assertThat(gateway.get("v1.hello.func.local").body()).as("by Host, as before").isEqualTo("module saw /");
  }

  @Test
  void aBadQueryIsRefusedWith400AndChangesNothing() throws Exception {
    GatewayProcess gateway = start();
    Files.writeString(dataDir.resolve("worker.js"), WORKER);
    String upload = "curl -s -w ' %{http_code}' -H 'Content-Type: text/javascript' --data-binary @"
        + dataDir.resolve("worker.js") + " '127.0.0.1:" + gateway.port() + "/api/deploy/hello";

    assertThat(GatewayProcess.bash(upload + "?version=v1&region=eu'")).as("an unknown parameter")
        .contains("unknown query parameter 'region'").endsWith(" 400");
    assertThat(GatewayProcess.bash(upload + "?version=v1&format=cjs'")).as("an unknown format").endsWith(" 400");

    assertThat(gateway.functions().path("functions")).as("functions after the refusals").isEmpty();
  }

  @Test
  void withoutAMountPathThePathFormIsNotFunctionTraffic() throws Exception {
    GatewayProcess gateway = start();
    gateway.deployText("hello", "v1", "hi");

    String answer = GatewayProcess.bash("curl -s -w ' %{http_code}' 127.0.0.1:" + gateway.port() + "/fn/hello/");

    assertThat(answer).endsWith(" 404").contains("nothing here").doesNotContain("hi\"");
  }
}
