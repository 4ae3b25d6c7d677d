package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FilesOnDisk;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Secrets through the real gateway jar on real workerd and a real SQLite file: a function reads
 * one like an env var; it is rotated under a loop of requests with no failure; and its value is in
 * no API answer, no line the gateway printed, no byte of the database, and on disk only while the
 * workerd process that needs it runs.
 */
class SecretsIT extends GatewayTestSupport {

  private static final String FIRST = "Gnu-Secret-61043";
  private static final String SECOND = "Yak-Secret-27759";
  private static final String MODULE = "export default { fetch(request, env) { return new Response(env.TOKEN) } }";

  private final List<String> answers = new ArrayList<>();

  private static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private HttpResponse<String> putSecret(GatewayProcess gateway, String value) throws Exception {
    HttpResponse<String> response = GatewayProcess.HTTP.send(HttpRequest.newBuilder(
        gateway.uri("/api/functions/hello/secrets/TOKEN")).header("Content-Type", "text/plain")
        .PUT(HttpRequest.BodyPublishers.ofString(value)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    answers.add(response.headers().map() + " " + response.body());
    return response;
  }

  private HttpResponse<String> admin(GatewayProcess gateway, String method, String path, String json) throws Exception {
    HttpResponse<String> response = gateway.admin(method, path, json);
    answers.add(response.headers().map() + " " + response.body());
    return response;
  }

  /** Files under {@code dir} whose bytes contain {@code text}. */
  private static List<Path> filesContaining(Path dir, String text) throws Exception {
    return FilesOnDisk.containing(dir, text).stream().map(dir::resolve).toList();
  }

  @Test
  void aSecretIsReadRotatedWithoutAFailedRequestAndShownNowhere() throws Exception {
    GatewayProcess gateway = start(dataDir, Map.of("FAAS4J_SECRET_KEY", newKey()));
    assertThat(putSecret(gateway, FIRST).statusCode()).isEqualTo(200);
    assertThat(admin(gateway, "POST", "/deploy/hello", GatewayProcess.JSON.writeValueAsString(Map.of(
        "version", "v1", "code", MODULE))).statusCode()).isEqualTo(200);
    assertThat(gateway.get("hello.func.local").body()).isEqualTo(FIRST);

    List<Path> onDisk = filesContaining(dataDir.resolve("workerd"), FIRST);
    assertThat(onDisk).as("while it runs, workerd's files hold the value").isNotEmpty();
    for (Path file : onDisk) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
          .isEqualTo("rw-------");
    }

    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger calls = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Thread client = new Thread(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> answer = gateway.get("hello.func.local");
            if (answer.statusCode() != 200 || !(answer.body().equals(FIRST) || answer.body().equals(SECOND))) {
              failures.add(answer.statusCode() + " " + answer.body());
            }
            calls.incrementAndGet();
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      });
      client.start();
      clients.add(client);
    }
    try {
      Thread.sleep(300);
      HttpResponse<String> rotated = putSecret(gateway, SECOND);
      assertThat(rotated.body()).contains("\"updatedVersions\":[\"v1\"]");
      assertThat(gateway.get("hello.func.local").body()).as("the first request after the PUT answered")
          .isEqualTo(SECOND);
      Thread.sleep(300);
    } finally {
      running.set(false);
      for (Thread client : clients) {
        client.join(60_000);
      }
    }
    assertThat(failures).as("failed requests out of %d during the rotation", calls.get()).isEmpty();

    assertThat(admin(gateway, "GET", "/functions/hello/secrets", null).body()).contains("\"secrets\":[\"TOKEN\"]");
    admin(gateway, "GET", "/functions/hello", null);
    admin(gateway, "GET", "/functions", null);
    admin(gateway, "GET", "/functions/hello/versions/v1/logs", null);
    assertThat(admin(gateway, "POST", "/functions/hello/versions/v1/stop", null).statusCode()).isEqualTo(200);

    assertThat(filesContaining(dataDir.resolve("workerd"), SECOND)).as("workerd files once the version stopped")
        .isEmpty();
    for (String value : List.of(FIRST, SECOND)) {
      assertThat(answers).as("API answers").noneMatch(answer -> answer.contains(value));
      assertThat(gateway.output()).as("what the gateway printed").doesNotContain(value);
      assertThat(filesContaining(dataDir, value)).as("files under the data dir (database included)").isEmpty();
    }
  }

  @Test
  void withoutAKeyASecretIsRefusedWith409AndAClearMessage() throws Exception {
    GatewayProcess gateway = start(dataDir, Map.of("FAAS4J_SECRET_KEY", ""));

    HttpResponse<String> refused = putSecret(gateway, FIRST);

    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("FAAS4J_SECRET_KEY", "openssl rand -base64 32").doesNotContain(FIRST);
    assertThat(admin(gateway, "GET", "/functions/hello/secrets", null).body()).contains("\"secrets\":[]");
  }

  private GatewayProcess start(Path dir, Map<String, String> env) throws Exception {
    GatewayProcess gateway = GatewayProcess.start(dir, env);
    gateways.add(gateway);
    return gateway;
  }
}
