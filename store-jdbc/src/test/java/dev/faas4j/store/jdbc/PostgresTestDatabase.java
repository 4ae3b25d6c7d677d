package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL schema on the server named by {@code FAAS4J_TEST_PG_URL}, with a HikariCP
 * pool whose connections use it; {@link #close()} closes the pool and drops the schema.
 *
 * <p>Without the variable, a test fails under {@code CI=true} and is skipped otherwise.
 */
final class PostgresTestDatabase implements AutoCloseable {

  static final String URL_VARIABLE = "FAAS4J_TEST_PG_URL";

  private final String url;
  private final String schema;
  private final HikariDataSource dataSource;

  private PostgresTestDatabase(String url, String schema, HikariDataSource dataSource) {
    this.url = url;
    this.schema = schema;
    this.dataSource = dataSource;
  }

  /** The server's JDBC URL; fails (CI) or skips (locally) the calling test when it is not set. */
  static String serverUrl() {
    String url = System.getenv(URL_VARIABLE);
    if (url == null || url.isBlank()) {
      String message = URL_VARIABLE + " is not set, so there is no PostgreSQL server to test against:"
          + " run `eval \"$(.ci/postgres.sh start)\"` first (and `.ci/postgres.sh stop` afterwards)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and " + message);
      }
      Assumptions.abort(message);
    }
    return url;
  }

  /** Creates an empty schema and a pool of at most {@code poolSize} connections on it. */
  static PostgresTestDatabase create(int poolSize) throws SQLException {
    String url = serverUrl();
    String schema = "faas4j_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(url); Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(0);
    config.setPoolName("pg-" + schema);
    // Names the pool's backends in pg_stat_activity, so a test can find (and kill) its own.
    config.addDataSourceProperty("ApplicationName", schema);
    return new PostgresTestDatabase(url, schema, new HikariDataSource(config));
  }

  HikariDataSource dataSource() {
    return dataSource;
  }

  String schema() {
    return schema;
  }

  @Override
  public void close() throws SQLException {
    dataSource.close();
    try (Connection admin = DriverManager.getConnection(url); Statement statement = admin.createStatement()) {
      statement.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }
}
