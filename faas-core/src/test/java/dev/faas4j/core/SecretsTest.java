package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Secrets over the admin API with an in-process provider: a function reads them as env vars, the
 * API lists names only, a change reaches the running version without a redeploy, and a value
 * appears in no answer, no log line and no stored row.
 */
class SecretsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VALUE = "s3cr3t-Wombat-7731";
  private static final String ROTATED = "s3cr3t-Quokka-0042";

  /** Each version answers with the value of its env var TOKEN. */
  private final InMemoryProvider provider = new InMemoryProvider(
      spec -> request -> FunctionResponse.ok("token=" + spec.env().get("TOKEN")), "js");
  private final InMemoryStore store = new InMemoryStore();
  private final List<String> answers = new ArrayList<>();
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private JettyHarness http;

  @BeforeEach
  void start() throws Exception {
    originalErr = System.err;
    // slf4j-simple writes to whatever System.err is at each line: this captures every log line.
    System.setErr(new PrintStream(new TeeStream(log, originalErr), true, StandardCharsets.UTF_8));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    http = new JettyHarness(Faas.builder().provider(provider).store(store).secretKey(key)
        .maintenanceInterval(Duration.ZERO).build());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      http.close();
    } finally {
      System.setErr(originalErr);
    }
  }

  private HttpResponse<String> admin(String method, String path, String contentType, String body) throws Exception {
    HttpResponse<String> response = http.adminTyped(method, path, contentType, body);
    answers.add(response.headers().map() + " " + response.body());
    return response;
  }

  private JsonNode ok(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as("status; body: " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private void deploy(String version) throws Exception {
    ok(admin("POST", "/deploy/hello", "application/json",
        "{\"code\":\"c\",\"version\":\"" + version + "\",\"env_vars\":{\"TOKEN\":\"plain\",\"OTHER\":\"x\"}}"));
  }

  @Test
  void aSecretIsReadLikeAnEnvVarListedByNameAndNeverShownBack() throws Exception {
    ok(admin("PUT", "/functions/hello/secrets/TOKEN", "text/plain", VALUE));
    deploy("v1");

    assertThat(http.call("hello.func.local")).as("a secret wins over the env var of the same name")
        .isEqualTo("token=" + VALUE);
    JsonNode listed = ok(admin("GET", "/functions/hello/secrets", null, null));
    assertThat(listed.path("secrets").toString()).isEqualTo("[\"TOKEN\"]");
    ok(admin("GET", "/functions/hello", null, null));
    ok(admin("GET", "/functions", null, null));
    admin("PUT", "/functions/hello/secrets/bad-name", "text/plain", VALUE);
    admin("PUT", "/functions/hello/secrets/TOKEN", "application/json", "\"" + VALUE + "\"");

    assertThat(answers).as("no API answer shows the value").noneMatch(a -> a.contains(VALUE));
    assertThat(log.toString(StandardCharsets.UTF_8)).as("no log line shows the value").doesNotContain(VALUE)
        .contains("secret TOKEN of hello set");
    assertThat(store.secrets("hello").toString()).as("the store holds it sealed").doesNotContain(VALUE)
        .contains("TOKEN=v1:");
    assertThat(store.load("hello").orElseThrow().toString()).as("the version's stored env is its own")
        .doesNotContain(VALUE);
  }

  @Test
  void aNewValueReachesTheRunningVersionWithoutARedeploy() throws Exception {
    deploy("v1");
    assertThat(http.call("hello.func.local")).isEqualTo("token=plain");

    JsonNode set = ok(admin("PUT", "/functions/hello/secrets/TOKEN", "text/plain", VALUE));
    assertThat(set.path("updatedVersions").toString()).isEqualTo("[\"v1\"]");
    assertThat(http.call("hello.func.local")).isEqualTo("token=" + VALUE);

    ok(admin("PUT", "/functions/hello/secrets/TOKEN", "text/plain", ROTATED));
    assertThat(http.call("hello.func.local")).isEqualTo("token=" + ROTATED);

    ok(admin("DELETE", "/functions/hello/secrets/TOKEN", null, null));
    assertThat(http.call("hello.func.local")).as("deleted: the env var shows again").isEqualTo("token=plain");
    assertThat(ok(admin("GET", "/functions/hello/secrets", null, null)).path("secrets").size()).isZero();
  }

  @Test
  void badInputIsA4xxThatChangesNothing() throws Exception {
    ok(admin("PUT", "/functions/hello/secrets/TOKEN", "text/plain", VALUE));

    assertThat(admin("PUT", "/functions/hello/secrets/1BAD", "text/plain", "x").statusCode()).isEqualTo(400);
    assertThat(admin("PUT", "/functions/hello/secrets/FAAS4J_X", "text/plain", "x").statusCode()).isEqualTo(400);
    assertThat(admin("PUT", "/functions/hello/secrets/TOKEN", "text/plain", "").statusCode()).isEqualTo(400);
    assertThat(admin("PUT", "/functions/hello/secrets/TOKEN", "application/json", "{}").statusCode()).isEqualTo(400);
    assertThat(admin("DELETE", "/functions/hello/secrets/NONE", null, null).statusCode()).isEqualTo(404);

    deploy("v1");
    assertThat(http.call("hello.func.local")).isEqualTo("token=" + VALUE);
  }

  @Test
  void withoutAKeySettingASecretIsRefusedWith409() throws Exception {
    try (Faas keyless = Faas.builder().provider(new InMemoryProvider()).maintenanceInterval(Duration.ZERO).build()) {
      assertThatThrownBy(() -> keyless.setSecret("hello", "TOKEN", VALUE))
          .isInstanceOfSatisfying(FaasException.class, e -> {
            assertThat(e.reason()).isEqualTo(FaasException.Reason.CONFLICT);
            assertThat(e.getMessage()).contains("FAAS4J_SECRET_KEY").contains("openssl rand -base64 32")
                .doesNotContain(VALUE);
          });
      assertThat(keyless.secretNames("hello")).isEmpty();
    }
  }

  @Test
  void secretsSealedWithAnotherKeyAreAClearErrorNotAValue() throws Exception {
    ok(admin("PUT", "/functions/hello/secrets/TOKEN", "text/plain", VALUE));
    byte[] otherKey = new byte[32];
    try (Faas other = Faas.builder().provider(new InMemoryProvider(
        spec -> request -> FunctionResponse.ok("token=" + spec.env().get("TOKEN")), "js"))
        .store(store).secretKey(otherKey).maintenanceInterval(Duration.ZERO).build()) {
      assertThatThrownBy(() -> other.deploy(FunctionSpec.builder("hello").version("v9").code("c")
          .env(Map.of("A", "b")).build(), null))
          .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.getMessage())
              .contains("cannot decrypt secret TOKEN of hello").doesNotContain(VALUE));
    }
  }

  @Test
  void aSecretSetOnOneNodeReachesTheRunningVersionOnAnotherThroughTheFeed() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Function<Void, Faas> node = none -> Faas.builder().provider(new InMemoryProvider(
        spec -> request -> FunctionResponse.ok("token=" + spec.env().get("TOKEN")), "js"))
        .store(store).secretKey(key).maintenanceInterval(Duration.ZERO).syncInterval(Duration.ZERO).build();
    try (Faas a = node.apply(null); Faas b = node.apply(null)) {
      a.deploy(FunctionSpec.builder("shared").version("v1").code("c").env("TOKEN", "plain").build(), null);
      assertThat(b.invoke("shared", null, FunctionRequest.get("/")).bodyAsString()).isEqualTo("token=plain");

      a.setSecret("shared", "TOKEN", VALUE);
      b.syncWithStore();

      assertThat(b.invoke("shared", null, FunctionRequest.get("/")).bodyAsString()).as("on the other node")
          .isEqualTo("token=" + VALUE);
    }
  }

  /** Writes to two streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
