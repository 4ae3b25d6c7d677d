package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's flags for timeouts, sizes and admin credentials. */
class GatewayOptionsTest {

  private static GatewayOptions parse(Map<String, String> env, String... args) throws Exception {
    return GatewayOptions.parse(args, env);
  }

  @Test
  void timeoutsAndBodyLimitHaveDocumentedDefaults() throws Exception {
    GatewayOptions options = parse(Map.of());

    assertThat(options.requestTimeout()).as("request timeout").isEqualTo(Duration.ofSeconds(30));
    assertThat(options.startTimeout()).as("start timeout").isEqualTo(Duration.ofSeconds(30));
    assertThat(options.dbBusyTimeout()).as("SQLite busy timeout").isEqualTo(Duration.ofSeconds(5));
    assertThat(options.maxBodyBytes()).as("function body limit").isEqualTo(10L << 20);
    assertThat(options.adminToken()).as("admin token").isNull();
    assertThat(options.adminBasic()).as("admin basic").isNull();
  }

  @Test
  void flagsWinOverEnvironmentVariables() throws Exception {
    GatewayOptions options = parse(Map.of("FAAS4J_REQUEST_TIMEOUT", "5s", "FAAS4J_START_TIMEOUT", "7s"),
        "--request-timeout", "250ms");

    assertThat(options.requestTimeout()).as("from the flag").isEqualTo(Duration.ofMillis(250));
    assertThat(options.startTimeout()).as("from the variable").isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void theFrozenTierHasTheBuildersDefaultsAndZeroTurnsItOff() throws Exception {
    assertThat(parse(Map.of()).frozen()).isEqualTo(new GatewayOptions.Frozen(Duration.ofMinutes(15), 512L << 20));
    assertThat(parse(Map.of("FAAS4J_FROZEN_MEMORY_BUDGET", "64"), "--frozen-timeout", "0s").frozen())
        .isEqualTo(new GatewayOptions.Frozen(Duration.ZERO, 64L << 20));
    assertThat(parse(Map.of(), "--frozen-timeout", "90s").frozen().timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> parse(Map.of(), "--frozen-memory-budget", "-1"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--frozen-memory-budget");
    assertThatThrownBy(() -> parse(Map.of(), "--frozen-timeout", "soon"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--frozen-timeout");
  }

  @Test
  void aZeroTimeoutIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> parse(Map.of(), "--start-timeout", "0s")).as("zero start timeout")
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--start-timeout");
  }

  @Test
  void basicCredentialsNeedAUserAndAPassword() throws Exception {
    assertThat(parse(Map.of(), "--admin-basic", "ada:pa:ss").adminBasic()).as("a password may contain ':'").isEqualTo("ada:pa:ss");
    for (String bad : new String[] {"ada", ":pw", "ada:"}) {
      assertThatThrownBy(() -> parse(Map.of(), "--admin-basic", bad)).as("--admin-basic " + bad)
          .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("user:password");
    }
  }

  @Test
  void aNegativeBodyLimitIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "--max-body-bytes", "-1")).as("negative body limit")
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--max-body-bytes");
  }

  @Test
  void latestVersionsAreKeptWarmUnlessTurnedOff() throws Exception {
    assertThat(parse(Map.of()).keepLatestWarm()).as("default").isTrue();
    assertThat(parse(Map.of(), "--keep-latest-warm", "false").keepLatestWarm()).as("flag").isFalse();
    assertThat(parse(Map.of("FAAS4J_KEEP_LATEST_WARM", "false")).keepLatestWarm()).as("variable").isFalse();
    assertThat(parse(Map.of()).forwardedHeaders()).as("default").isTrue();
    assertThat(parse(Map.of(), "--forwarded-headers", "false").forwardedHeaders()).as("flag").isFalse();
    assertThat(parse(Map.of("FAAS4J_FORWARDED_HEADERS", "false")).forwardedHeaders()).as("variable").isFalse();
    assertThatThrownBy(() -> parse(Map.of(), "--keep-latest-warm", "maybe"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--keep-latest-warm");
    assertThatThrownBy(() -> parse(Map.of(), "--forwarded-headers", "no"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--forwarded-headers");
  }

  @Test
  void theHopLimitIsSixteenUnlessSetAndAtLeastOne() throws Exception {
    assertThat(parse(Map.of()).maxHops()).as("default").isEqualTo(16);
    assertThat(parse(Map.of(), "--max-hops", "4").maxHops()).as("flag").isEqualTo(4);
    assertThat(parse(Map.of("FAAS4J_MAX_HOPS", "8")).maxHops()).as("variable").isEqualTo(8);
    for (String bad : new String[] {"0", "-1", "many"}) {
      assertThatThrownBy(() -> parse(Map.of(), "--max-hops", bad)).as(bad)
          .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--max-hops");
    }
  }

  @Test
  void theInFlightCapIsTenThousandUnlessSetAndAtLeastOne() throws Exception {
    assertThat(parse(Map.of()).limits().maxInFlight()).as("default").isEqualTo(10_000);
    assertThat(parse(Map.of(), "--max-in-flight", "64").limits().maxInFlight()).as("flag").isEqualTo(64);
    assertThat(parse(Map.of("FAAS4J_MAX_IN_FLIGHT", "32")).limits().maxInFlight()).as("variable").isEqualTo(32);
    for (String bad : new String[] {"0", "-1", "many"}) {
      assertThatThrownBy(() -> parse(Map.of(), "--max-in-flight", bad)).as(bad)
          .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--max-in-flight");
    }
  }

  @Test
  void clusterFlagsHaveDocumentedDefaults() throws Exception {
    GatewayOptions.Cluster cluster = parse(Map.of()).cluster();

    assertThat(cluster.nodeId()).as("node id: the host name and a suffix, chosen by faas4j").isNull();
    assertThat(cluster.syncInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(cluster.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(cluster.nodeExpiry()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aNodeExpiryNotLongerThanTheHeartbeatIsRefused() {
    assertThatThrownBy(() -> parse(Map.of(), "--heartbeat-interval", "5s", "--node-expiry", "5s"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--node-expiry");
  }

  @Test
  void aNodeIdWithASpaceIsRefused() throws Exception {
    assertThat(parse(Map.of(), "--node-id", "gw-1").cluster().nodeId()).isEqualTo("gw-1");
    assertThatThrownBy(() -> parse(Map.of(), "--node-id", "gw 1"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--node-id");
  }

  @Test
  void theMountPathComesFromTheFlagOrItsVariableAndIsOffByDefault() throws Exception {
    assertThat(parse(Map.of()).mountPath()).as("default").isNull();
    assertThat(parse(Map.of("FAAS4J_MOUNT_PATH", "/fn")).mountPath()).as("from FAAS4J_MOUNT_PATH").isEqualTo("/fn");
    assertThat(parse(Map.of("FAAS4J_MOUNT_PATH", "/fn"), "--mount-path", "/x/functions").mountPath())
        .as("the flag wins").isEqualTo("/x/functions");
  }

  @Test
  void aMountPathThatIsNotAPathPrefixOrTakesTheAdminApiIsRefused() {
    for (String bad : new String[] {"fn", "/", "/fn/", "/f n", "/api", "/api/fn", "/fn//x"}) {
      assertThatThrownBy(() -> parse(Map.of(), "--mount-path", bad)).as("--mount-path " + bad)
          .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--mount-path");
    }
  }

  @Test
  void theDockerHostComesFromTheFlagOrItsVariableAndIsOffByDefault() throws Exception {
    assertThat(parse(Map.of()).dockerHost()).as("default: no Docker provider").isNull();
    assertThat(parse(Map.of("FAAS4J_DOCKER_HOST", "unix:///run/docker.sock")).dockerHost())
        .as("from FAAS4J_DOCKER_HOST").isEqualTo("unix:///run/docker.sock");
    assertThat(parse(Map.of(), "--docker-host", "tcp://10.0.0.5:2375").dockerHost()).isEqualTo("tcp://10.0.0.5:2375");
    assertThatThrownBy(() -> parse(Map.of(), "--docker-host", "/var/run/docker.sock"))
        .isInstanceOf(GatewayOptions.UsageException.class).hasMessageContaining("--docker-host");
  }
}
