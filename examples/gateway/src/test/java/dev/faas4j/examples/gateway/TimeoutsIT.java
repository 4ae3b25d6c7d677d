package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Execution timeouts (504) and start timeouts (503) on the real gateway: a function that never
 * answers does not hold its request (nor a server thread) beyond the timeout, and a version that
 * never starts is answered 503 while the others keep serving.
 */
class TimeoutsIT extends GatewayTestSupport {

  /** Answers after an hour: a pending timer, so workerd does not see it as hung. */
  static final String NEVER_ANSWERS = "addEventListener(\"fetch\", e => e.respondWith(new Promise(r =>"
      + " setTimeout(() => r(new Response(\"too late\")), 3600000))))";
  /** Spins forever while the script is evaluated, so workerd never starts listening. */
  static final String NEVER_STARTS = "while (true) {}\naddEventListener(\"fetch\", e => e.respondWith(new Response(\"never\")))";

  private static String deployBody(String code, String extra) throws Exception {
    return "{\"version\":\"v1\",\"code\":" + GatewayProcess.JSON.writeValueAsString(code) + extra + "}";
  }

  @Test
  void aFunctionThatNeverAnswersGets504AtItsOwnTimeout() throws Exception {
    GatewayProcess gateway = start();
    assertThat(gateway.admin("POST", "/deploy/slow", deployBody(NEVER_ANSWERS, ",\"limits\":{\"timeout_ms\":1000}"))
        .statusCode()).as("deploy").isEqualTo(200);

    HttpResponse<String> answer = gateway.get("slow.func.local");

    assertThat(answer.statusCode()).as("status of a request to a function that never answers: " + answer.body()).isEqualTo(504);
    assertThat(answer.body()).as("error body").contains("\"status\":\"error\"");
  }

  @Test
  void aFunctionSpinningPastItsTimeoutGets504AndItsProcessIsReplaced() throws Exception {
    GatewayProcess gateway = start();
    String spinsOnSpin = "addEventListener(\"fetch\", e => { if (new URL(e.request.url).pathname === \"/spin\") {"
        + " for (;;) {} } e.respondWith(new Response(\"ok\")); })";
    assertThat(gateway.admin("POST", "/deploy/spinner", deployBody(spinsOnSpin, ",\"limits\":{\"timeout_ms\":500}"))
        .statusCode()).as("deploy").isEqualTo(200);
    List<Long> before = GatewayProcess.workerdProcessesUnder(dataDir);
    assertThat(before).as("workerd processes after the deploy").hasSize(1);

    HttpResponse<String> answer = gateway.get("spinner.func.local", "/spin");

    assertThat(answer.statusCode()).as("status of a request that spins: " + answer.body()).isEqualTo(504);
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(30),
        () -> !GatewayProcess.workerdProcessesUnder(dataDir).contains(before.get(0))))
        .as("the spinning workerd %s is killed by the watchdog", before).isTrue();
    assertThat(gateway.get("spinner.func.local", "/").body()).as("the next request, on a new process").isEqualTo("ok");
    assertThat(GatewayProcess.workerdProcessesUnder(dataDir)).as("workerd processes afterwards")
        .hasSize(1).doesNotContainAnyElementsOf(before);
  }

  @Test
  void theGatewayRequestTimeoutAppliesToFunctionsWithoutTheirOwn() throws Exception {
    GatewayProcess gateway = start("--request-timeout", "1s");
    assertThat(gateway.admin("POST", "/deploy/slow", deployBody(NEVER_ANSWERS, "")).statusCode()).as("deploy").isEqualTo(200);

    assertThat(gateway.get("slow.func.local").statusCode()).as("status with --request-timeout 1s").isEqualTo(504);
  }

  @Test
  void aTimedOutRequestIsNoLongerCountedAsActive() throws Exception {
    GatewayProcess gateway = start();
    gateway.admin("POST", "/deploy/slow", deployBody(NEVER_ANSWERS, ",\"limits\":{\"timeout_ms\":500}"));
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread client = new Thread(() -> {
        try {
          gateway.get("slow.func.local");
        } catch (Exception ignored) {
          // only the server side is checked
        }
      });
      client.start();
      clients.add(client);
    }
    for (Thread client : clients) {
      client.join(60_000);
    }

    assertThat(GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/slow", null).body())
        .path("function").path("versions").path(0).path("activeRequests").asInt())
        .as("requests still held by the gateway after their timeouts").isZero();
    assertThat(gateway.deployText("quick", "v1", "still serving").statusCode()).as("deploy afterwards").isEqualTo(200);
    assertThat(gateway.get("quick.func.local").body()).as("another function afterwards").isEqualTo("still serving");
  }

  @Test
  void aDeployOfCodeThatNeverStartsIsRefusedAfterTheStartTimeout() throws Exception {
    GatewayProcess gateway = start("--start-timeout", "2s");

    HttpResponse<String> answer = gateway.admin("POST", "/deploy/spin", deployBody(NEVER_STARTS, ""));

    assertThat(answer.statusCode()).as("deploy of a script that never finishes evaluating: " + answer.body()).isEqualTo(503);
    assertThat(gateway.admin("GET", "/functions/spin", null).statusCode()).as("nothing stored").isEqualTo(404);
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(30), () -> GatewayProcess.workerdProcessesUnder(dataDir).isEmpty()))
        .as("the spinning workerd process is gone").isTrue();
  }

  @Test
  void aStoredVersionThatNoLongerStartsGets503AndTheOthersKeepServing() throws Exception {
    GatewayProcess first = start();
    assertThat(first.deployText("fine", "v1", "fine").statusCode()).isEqualTo(200);
    first.close();
    gateways.clear();
    // A version that passed its checks once but no longer starts (as after an upgrade of workerd):
    // written straight into the store, as a previous gateway would have.
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(dataDir.resolve("faas.db"))) {
      FunctionSpec spec = FunctionSpec.builder("spin").version("v1").code(NEVER_STARTS).build();
      assertThat(store.save(new FunctionState("spin", 1, List.of(new FunctionVersion(spec, Instant.now())), Map.of(), "v1")))
          .as("stored").isTrue();
    }
    GatewayProcess gateway = start("--start-timeout", "2s");

    HttpResponse<String> answer = gateway.get("spin.func.local");

    assertThat(answer.statusCode()).as("status of a version that never starts: " + answer.body()).isEqualTo(503);
    assertThat(gateway.get("fine.func.local").body()).as("another function").isEqualTo("fine");
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(30),
        () -> GatewayProcess.workerdProcessesUnder(dataDir).size() == 1)).as("only the fine function's workerd is left").isTrue();
  }
}
