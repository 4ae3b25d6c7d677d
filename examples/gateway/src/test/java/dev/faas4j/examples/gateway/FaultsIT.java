package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Crashes and outages on the real gateway: a workerd process killed under load, the gateway
 * killed in the middle of deploys, and the SQLite database locked by another process.
 */
class FaultsIT extends GatewayTestSupport {

  private record Outcome(long startNanos, long endNanos, int status) {}

  @Test
  void killingAWorkerdUnderLoadFailsOnlyRequestsInFlightAndARestartedProcessServesTheNext() throws Exception {
    GatewayProcess gateway = start();
    assertThat(gateway.deployText("load", "v1", "ok").statusCode()).isEqualTo(200);
    List<Long> before = GatewayProcess.workerdProcessesUnder(dataDir);
    assertThat(before).as("workerd processes before the kill").hasSize(1);

    ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread client = new Thread(() -> {
        while (running.get()) {
          long start = System.nanoTime();
          int status;
          try {
            status = gateway.get("load.func.local").statusCode();
          } catch (Exception e) {
            status = -1;
          }
          outcomes.add(new Outcome(start, System.nanoTime(), status));
        }
      }, "load-" + i);
      client.start();
      clients.add(client);
    }
    try {
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(30), () -> outcomes.size() >= 100)).as("load running").isTrue();
      long killedAt = System.nanoTime();
      ProcessHandle.of(before.get(0)).orElseThrow().destroyForcibly();
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(30), () -> outcomes.stream()
          .filter(o -> o.startNanos() > killedAt && o.status() == 200).count() >= 200))
          .as("requests served after the kill").isTrue();
      running.set(false);
      for (Thread client : clients) {
        client.join(60_000);
      }

      long recoveredAt = outcomes.stream().filter(o -> o.startNanos() > killedAt && o.status() == 200)
          .mapToLong(Outcome::endNanos).min().orElseThrow();
      List<Outcome> failed = outcomes.stream().filter(o -> o.status() != 200).toList();
      System.out.printf("kill -9 under load: %d requests, %d failed (%s), all around the kill%n", outcomes.size(),
          failed.size(), failed.stream().map(Outcome::status).distinct().toList());
      assertThat(failed).as("failed requests that started before the kill").allMatch(o -> o.startNanos() <= killedAt
          || o.startNanos() < recoveredAt);
      assertThat(outcomes).as("requests that started once a restarted process served")
          .filteredOn(o -> o.startNanos() > recoveredAt).allMatch(o -> o.status() == 200);
      assertThat(failed).as("how the failures were answered").allMatch(o -> o.status() == 502 || o.status() == 503);
      List<Long> after = GatewayProcess.workerdProcessesUnder(dataDir);
      assertThat(after).as("workerd processes after recovery: one, a new one").hasSize(1).doesNotContain(before.get(0));
    } finally {
      running.set(false);
    }
  }

  @Test
  void afterASigkillMidDeployEveryAcknowledgedDeployIsThereAndServing() throws Exception {
    GatewayProcess gateway = start();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> deployers = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      String name = "fn" + f;
      Thread deployer = new Thread(() -> {
        for (int v = 1; v <= 200 && running.get(); v++) {
          try {
            HttpResponse<String> answer = gateway.deployText(name, "v" + v, name + " v" + v);
            if (answer.statusCode() == 200) {
              acknowledged.add(name + "/v" + v);
            }
          } catch (Exception gatewayGone) {
            return;
          }
        }
      }, "deployer-" + f);
      deployer.start();
      deployers.add(deployer);
    }
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(60), () -> acknowledged.size() >= 9)).as("deploys acknowledged").isTrue();
    gateway.kill();
    running.set(false);
    for (Thread deployer : deployers) {
      deployer.join(60_000);
    }
    Set<String> acknowledgedBeforeKill = Set.copyOf(acknowledged);

    GatewayProcess restarted = start();

    JsonNode functions = restarted.definitions().path("functions");
    Set<String> stored = ConcurrentHashMap.newKeySet();
    for (JsonNode function : functions) {
      String name = function.path("name").asText();
      List<String> versions = new ArrayList<>();
      function.path("versions").forEach(v -> versions.add(v.path("version").asText()));
      assertThat(versions).as("versions of " + name).contains(function.path("latest").asText());
      for (String version : versions) {
        stored.add(name + "/" + version);
        HttpResponse<String> served = restarted.get(version + "." + name + ".func.local");
        assertThat(served.statusCode()).as("status of stored " + name + "/" + version).isEqualTo(200);
        assertThat(served.body()).as("what stored " + name + "/" + version + " serves").isEqualTo(name + " " + version);
        restarted.admin("POST", "/functions/" + name + "/versions/" + version + "/stop", null);
      }
    }
    System.out.printf("SIGKILL mid-deploy: %d acknowledged, %d stored after restart%n", acknowledgedBeforeKill.size(), stored.size());
    assertThat(stored).as("stored after restart").containsAll(acknowledgedBeforeKill);
  }

  @Test
  void whileTheDatabaseIsLockedDeploysGet503AndFunctionsKeepServingAndAfterwardsDeploysWork() throws Exception {
    GatewayProcess gateway = start("--db-busy-timeout", "1s");
    assertThat(gateway.deployText("steady", "v1", "steady v1").statusCode()).isEqualTo(200);
    JsonNode before = gateway.definitions();

    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("faas.db"));
        Statement lock = other.createStatement()) {
      lock.execute("BEGIN EXCLUSIVE"); // another process holds the write lock, as a long migration or backup would
      HttpResponse<String> deploy = gateway.deployText("steady", "v2", "steady v2");
      HttpResponse<String> rollback = gateway.admin("POST", "/rollback/steady", "{\"version\":\"v1\"}");

      assertThat(deploy.statusCode()).as("deploy while the database is locked: " + deploy.body()).isEqualTo(503);
      assertThat(GatewayProcess.JSON.readTree(deploy.body()).path("error").asText()).as("message").isNotBlank();
      assertThat(rollback.statusCode()).as("rollback while the database is locked: " + rollback.body()).isEqualTo(503);
      assertThat(gateway.get("steady.func.local").body()).as("the function while the database is locked").isEqualTo("steady v1");
      assertThat(gateway.definitions()).as("definitions while locked").isEqualTo(before);
      lock.execute("COMMIT");
    }

    HttpResponse<String> deploy = gateway.deployText("steady", "v2", "steady v2");
    assertThat(deploy.statusCode()).as("deploy once the database is back: " + deploy.body()).isEqualTo(200);
    assertThat(gateway.get("steady.func.local").body()).as("latest once the database is back").isEqualTo("steady v2");
    assertThat(GatewayProcess.workerdProcessesUnder(dataDir)).as("workerd processes: v1 and v2, none from the failed deploy")
        .hasSize(2);
  }
}
