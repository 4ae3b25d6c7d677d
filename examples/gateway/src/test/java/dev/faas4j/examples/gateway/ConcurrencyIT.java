package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * 100 concurrent deploys, rollbacks and alias moves on one function of the real gateway while
 * traffic flows to its latest version, its alias and a fixed version.
 */
class ConcurrencyIT extends GatewayTestSupport {

  private static final int OPERATIONS = 100;

  private GatewayProcess gateway;

  @Test
  void concurrentChangesLeaveAConsistentStateWithoutRoutingErrorsOrDuplicateProcesses() throws Exception {
    gateway = start();
    List<String> versions = new CopyOnWriteArrayList<>();
    for (int v = 0; v < 3; v++) {
      assertThat(gateway.deployText("busy", "v" + v, "busy v" + v).statusCode()).isEqualTo(200);
      versions.add("v" + v);
    }
    assertThat(gateway.admin("PUT", "/functions/busy/aliases/live", "{\"version\":\"v0\"}").statusCode()).isEqualTo(200);

    AtomicBoolean flowing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> trafficErrors = new ConcurrentLinkedQueue<>();
    List<Thread> traffic = new ArrayList<>();
    for (String host : List.of("busy.func.local", "live.busy.func.local", "v0.busy.func.local")) {
      Thread client = new Thread(() -> {
        while (flowing.get()) {
          try {
            HttpResponse<String> answer = gateway.get(host);
            if (answer.statusCode() != 200 || !answer.body().matches("busy [vd][0-9]+")) {
              trafficErrors.add(host + " -> " + answer.statusCode() + " " + answer.body());
            }
          } catch (Exception e) {
            trafficErrors.add(host + " -> " + e);
          }
        }
      }, "traffic-" + host);
      client.start();
      traffic.add(client);
    }

    Map<Integer, Integer> statuses = Collections.synchronizedMap(new HashMap<>());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      Random random = new Random(42);
      for (int i = 0; i < OPERATIONS; i++) {
        int op = i;
        int kind = i % 5; // 1 in 5 deploys a new version, 2 roll back, 2 move the alias
        int pick = random.nextInt(1_000);
        done.add(pool.submit(() -> {
          HttpResponse<String> answer;
          if (kind == 0) {
            answer = gateway.deployText("busy", "d" + op, "busy d" + op);
            if (answer.statusCode() == 200) {
              versions.add("d" + op);
            }
          } else {
            String target = versions.get(pick % versions.size());
            answer = kind <= 2
                ? gateway.admin("POST", "/rollback/busy", "{\"version\":\"" + target + "\"}")
                : gateway.admin("PUT", "/functions/busy/aliases/live", "{\"version\":\"" + target + "\"}");
          }
          statuses.merge(answer.statusCode(), 1, Integer::sum);
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
      flowing.set(false);
      for (Thread client : traffic) {
        client.join(60_000);
      }
    }

    System.out.println("concurrent changes: statuses " + statuses + ", versions " + versions.size());
    assertThat(statuses).as("answers to the " + OPERATIONS + " changes").containsOnlyKeys(200);
    assertThat(trafficErrors).as("traffic answers that were not a version of busy").isEmpty();

    JsonNode function = GatewayProcess.JSON.readTree(gateway.admin("GET", "/functions/busy", null).body()).path("function");
    Set<String> listed = new HashSet<>();
    function.path("versions").forEach(v -> listed.add(v.path("version").asText()));
    assertThat(listed).as("versions listed").containsExactlyInAnyOrderElementsOf(versions);
    String latest = function.path("latest").asText();
    String live = function.path("aliases").path("live").asText();
    assertThat(listed).as("latest and alias point at listed versions").contains(latest, live);
    assertThat(gateway.get("busy.func.local").body()).as("what the bare host serves").isEqualTo("busy " + latest);
    assertThat(gateway.get("live.busy.func.local").body()).as("what the alias serves").isEqualTo("busy " + live);

    List<String> configs = new ArrayList<>();
    for (long pid : GatewayProcess.workerdProcessesUnder(dataDir)) {
      configs.add(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8));
    }
    assertThat(configs).as("workerd processes, one per running version").doesNotHaveDuplicates();

    JsonNode before = gateway.definitions();
    gateway.close();
    gateway = start();
    assertThat(gateway.definitions()).as("the same state after a restart").isEqualTo(before);
  }
}
