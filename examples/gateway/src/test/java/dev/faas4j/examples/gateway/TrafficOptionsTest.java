package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's flags for the waiting line, sticky keys, asynchronous invocations and the secret key. */
class TrafficOptionsTest {

  @TempDir
  Path dir;

  private static TrafficOptions parse(Map<String, String> env, String... args) throws Exception {
    return GatewayOptions.parse(args, env).traffic();
  }

  @Test
  void defaultsAreTheBuildersOwn() throws Exception {
    TrafficOptions traffic = parse(Map.of());

    assertThat(traffic.maxQueued()).isEqualTo(100);
    assertThat(traffic.queueTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(traffic.stickyHeader()).isEqualTo("X-Faas4j-Sticky");
    assertThat(traffic.stickyCookie()).isEqualTo("faas4j-sticky");
    assertThat(traffic.asyncWorkers()).isEqualTo(4);
    assertThat(traffic.asyncQueueDepth()).isEqualTo(10_000);
    assertThat(traffic.asyncMaxAttempts()).isEqualTo(5);
    assertThat(traffic.asyncFirstBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(traffic.asyncMaxBackoff()).isEqualTo(Duration.ofMinutes(5));
    assertThat(traffic.asyncLease()).as("the builder's: request timeout + 30 s").isNull();
    assertThat(traffic.callbackAllow()).as("public addresses only").isEmpty();
    assertThat(traffic.secretKeyFile()).as("FAAS4J_SECRET_KEY, read by the builder").isNull();
  }

  @Test
  void everyFlagIsRead() throws Exception {
    TrafficOptions traffic = parse(Map.of(), "--max-queued", "0", "--queue-timeout", "250ms",
        "--sticky-header", "X-User", "--sticky-cookie", "none", "--async-workers", "16", "--async-queue-depth", "50",
        "--async-max-attempts", "2", "--async-first-backoff", "100ms", "--async-max-backoff", "2s",
        "--async-lease", "8s", "--callback-allow", "127.0.0.1/32, 10.0.0.0/8");

    assertThat(traffic.maxQueued()).as("0: no waiting").isZero();
    assertThat(traffic.queueTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(traffic.stickyHeader()).isEqualTo("X-User");
    assertThat(traffic.stickyCookie()).as("none turns the cookie off").isNull();
    assertThat(traffic.asyncWorkers()).isEqualTo(16);
    assertThat(traffic.asyncQueueDepth()).isEqualTo(50);
    assertThat(traffic.asyncMaxAttempts()).isEqualTo(2);
    assertThat(traffic.asyncFirstBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(traffic.asyncMaxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(traffic.asyncLease()).isEqualTo(Duration.ofSeconds(8));
    assertThat(traffic.callbackAllow()).containsExactly("127.0.0.1/32", "10.0.0.0/8");
  }

  @Test
  void environmentVariablesSetThemAndFlagsWin() throws Exception {
    TrafficOptions traffic = parse(Map.of("FAAS4J_ASYNC_WORKERS", "8", "FAAS4J_CALLBACK_ALLOW", "192.168.0.0/16",
        "FAAS4J_STICKY_HEADER", "X-Tenant"), "--async-workers", "2");

    assertThat(traffic.asyncWorkers()).as("the flag").isEqualTo(2);
    assertThat(traffic.callbackAllow()).as("FAAS4J_CALLBACK_ALLOW, as the builder reads it").containsExactly("192.168.0.0/16");
    assertThat(traffic.stickyHeader()).isEqualTo("X-Tenant");
  }

  @Test
  void badValuesAreRefusedNamingTheFlag() {
    String[][] bad = {
        {"--async-workers", "0"}, {"--async-queue-depth", "-5"}, {"--async-max-attempts", "many"},
        {"--async-lease", "0s"}, {"--queue-timeout", "soon"}, {"--max-queued", "-1"},
        {"--sticky-header", "X User"}, {"--sticky-cookie", "a;b"}, {"--callback-allow", "localhost"},
        {"--async-max-backoff", "10ms"}, {"--secret-key-file", "/nonexistent/key"}};
    for (String[] args : bad) {
      assertThatThrownBy(() -> parse(Map.of(), args)).as(String.join(" ", args))
          .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining(args[0]);
    }
  }

  @Test
  void theSecretKeyFileHoldsTheBase64Of32BytesAndIsNeverEchoed() throws Exception {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    Path good = Files.writeString(dir.resolve("key"), Base64.getEncoder().encodeToString(key) + "\n");
    TrafficOptions traffic = parse(Map.of(), "--secret-key-file", good.toString());
    assertThat(TrafficOptions.secretKey(traffic.secretKeyFile())).isEqualTo(key);

    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    Path bad = Files.writeString(dir.resolve("short"), shortKey);
    assertThatThrownBy(() -> parse(Map.of("FAAS4J_SECRET_KEY_FILE", bad.toString())))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("32 bytes")
        .message().doesNotContain(shortKey);
  }

  @Test
  void theHelpNamesEveryFlagAndItsVariable() {
    for (String flag : TrafficOptions.DEFAULTS.keySet()) {
      assertThat(GatewayOptions.USAGE).contains("--" + flag + " ")
          .contains("FAAS4J_" + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
    for (String flag : TrafficOptions.WITHOUT_DEFAULT) {
      assertThat(GatewayOptions.USAGE).contains("--" + flag + " ")
          .contains("FAAS4J_" + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
  }
}
