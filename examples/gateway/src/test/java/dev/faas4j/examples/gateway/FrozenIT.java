package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The frozen tier through the real gateway and workerd: an idle version is frozen (not terminated),
 * its next request thaws it, and the gateway's pooled keep-alive connection to the frozen process
 * serves that request.
 */
class FrozenIT extends GatewayTestSupport {

  /** Counts its requests in a global: a thawed process goes on counting, a restarted one starts at 1. */
  private static final String COUNTER = "let n = 0; addEventListener(\"fetch\", e => e.respondWith(new Response(String(++n))))";

  @Test
  void anIdleVersionIsFrozenAndItsNextRequestIsServedByTheSameProcess() throws Exception {
    GatewayProcess gateway = start("--idle-timeout", "500ms");
    for (String version : new String[] {"v1", "v2"}) { // v2 is the latest, kept warm; v1 goes idle
      HttpResponse<String> deployed = gateway.admin("POST", "/deploy/icy",
          GatewayProcess.JSON.writeValueAsString(Map.of("version", version, "code", COUNTER)));
      assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);
    }
    assertThat(gateway.get("v1.icy.func.local", "/").body()).isEqualTo("1");
    String pid = awaitState(gateway, "running").path("detail").asText();

    JsonNode frozen = awaitState(gateway, "frozen");
    assertThat(frozen.path("detail").asText()).as("the same process, paused").isEqualTo(pid);
    Thread.sleep(1500); // several maintenance passes: a frozen process is neither a crash nor idle-suspended yet
    assertThat(versionV1(gateway).path("state").asText()).isEqualTo("frozen");

    HttpResponse<String> thawed = gateway.get("v1.icy.func.local", "/");

    assertThat(thawed.statusCode()).as(thawed.body()).isEqualTo(200);
    assertThat(thawed.body()).as("served by the process that was frozen, through the pooled connection").isEqualTo("2");
    assertThat(versionV1(gateway).path("state").asText()).isEqualTo("running");
    assertThat(versionV1(gateway).path("detail").asText()).isEqualTo(pid);
  }

  private static JsonNode versionV1(GatewayProcess gateway) throws Exception {
    JsonNode function = GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/icy", null).body());
    for (JsonNode version : function.path("function").path("versions")) {
      if (version.path("version").asText().equals("v1")) {
        return version;
      }
    }
    throw new AssertionError("no v1 in " + function);
  }

  private static JsonNode awaitState(GatewayProcess gateway, String state) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      JsonNode version = versionV1(gateway);
      if (version.path("state").asText().equals(state)) {
        return version;
      }
      assertThat(System.nanoTime()).as("waiting for v1 to be %s; it is %s", state, version).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
