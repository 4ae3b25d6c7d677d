package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.Faas;
import dev.faas4j.spring.boot.app.TestApplication;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With a DataSource of the application's own ({@code spring.datasource.*}), functions are kept in
 * it, on a real PostgreSQL server and on SQLite; the application's pool stays open when faas4j closes
 * its store.
 */
class DataSourceStoreTest {

  @TempDir
  Path dataDir;

  @Test
  void functionsAreKeptInTheApplicationsPostgresqlDatabase() throws Exception {
    String server = Required.postgresUrl();
    String schema = "faas4j_boot_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(server); Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    try {
      String url = server + (server.contains("?") ? "&" : "?") + "currentSchema=" + schema;
      assertThat(deployAndCount(url, "SELECT count(*) FROM " + schema + ".faas4j_versions"))
          .as("versions in the application's database").isEqualTo(1);
    } finally {
      try (Connection admin = DriverManager.getConnection(server); Statement statement = admin.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  @Test
  void functionsAreKeptInTheApplicationsSqliteDatabase() throws Exception {
    String url = "jdbc:sqlite:" + dataDir.resolve("app.db");

    assertThat(deployAndCount(url, "SELECT count(*) FROM faas4j_versions"))
        .as("versions in the application's database").isEqualTo(1);
    assertThat(dataDir.resolve("faas.db")).as("no SQLite file of faas4j's own").doesNotExist();
  }

  /**
   * Starts the application (workerd, store type left to auto) on {@code url}, deploys one version,
   * and counts rows with {@code query} after the application closed.
   */
  private long deployAndCount(String url, String query) throws Exception {
    Required.workerd();
    DataSource pool;
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApplication.class)
        .web(WebApplicationType.NONE)
        .run("--spring.main.banner-mode=off", "--spring.datasource.url=" + url, "--faas4j.data-dir=" + dataDir)) {
      assertThat(app.getBean(FunctionStore.class)).isInstanceOf(JdbcFunctionStore.class);
      pool = app.getBean(DataSource.class);
      app.getBean(Faas.class).deploy(FunctionSpec.builder("hello").version("v1")
          .code("addEventListener(\"fetch\", e => e.respondWith(new Response(\"hi\")))").build(), null);
      try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(query)) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
