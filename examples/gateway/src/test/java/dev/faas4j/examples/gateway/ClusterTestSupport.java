package dev.faas4j.examples.gateway;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every test of several gateway JVMs on one PostgreSQL database ({@code FAAS4J_TEST_PG_URL})
 * needs: a new schema per test, dropped after it, and gateways on that schema, each with its own
 * data dir (its own workerd processes). Skipped without a server, failed under {@code CI=true}.
 */
abstract class ClusterTestSupport extends GatewayTestSupport {

  String serverUrl;
  String schema;

  @BeforeEach
  void createSchema() throws Exception {
    serverUrl = System.getenv("FAAS4J_TEST_PG_URL");
    if (serverUrl == null || serverUrl.isBlank()) {
      String message = "FAAS4J_TEST_PG_URL is not set, so there is no PostgreSQL server for the cluster tests:"
          + " run `eval \"$(.ci/postgres.sh start)\"` first (and `.ci/postgres.sh stop` afterwards)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true and " + message);
      }
      Assumptions.abort(message);
    }
    schema = "faas4j_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(serverUrl); Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
  }

  /** Runs before the support class's check for leftovers (JUnit runs a subclass's @AfterEach first), so stop the gateways here. */
  @AfterEach
  void dropSchema() throws Exception {
    for (GatewayProcess gateway : gateways) {
      gateway.close();
    }
    if (schema != null) {
      try (Connection admin = DriverManager.getConnection(serverUrl); Statement statement = admin.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /** The JDBC URL of the test's schema. */
  String schemaUrl() {
    return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** A connection to the test's schema, to look at what the gateways wrote; the caller closes it. */
  Connection database() throws Exception {
    return DriverManager.getConnection(schemaUrl());
  }

  /** A gateway on the shared schema with its own data dir, quick heartbeats and {@code extra} flags. */
  GatewayProcess node(String id, String... extra) throws Exception {
    return node(java.util.Map.of(), id, extra);
  }

  /** {@link #node(String, String...)} with extra environment variables. */
  GatewayProcess node(java.util.Map<String, String> env, String id, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--jdbc-url", schemaUrl(), "--node-id", id,
        "--heartbeat-interval", "500ms", "--node-expiry", "3s"));
    args.addAll(List.of(extra));
    GatewayProcess gateway = GatewayProcess.start(dataDir.resolve(id), env, args.toArray(String[]::new));
    synchronized (gateways) {
      gateways.removeIf(g -> !g.process().isAlive());
      gateways.add(gateway);
    }
    return gateway;
  }
}
