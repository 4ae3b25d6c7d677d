package dev.faas4j.store.jdbc;

import static dev.faas4j.store.jdbc.Fixtures.state;
import static dev.faas4j.store.jdbc.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionState;
import dev.faas4j.store.jdbc.internal.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the store does on PostgreSQL beyond the contract: migrations shared by several stores. */
@ExtendWith(RequiresPostgres.class)
class PostgresJdbcFunctionStoreTest {

  private PostgresTestDatabase database;

  @BeforeAll
  static void requireServer() {
    PostgresTestDatabase.serverUrl();
  }

  @BeforeEach
  void createSchema() throws Exception {
    database = PostgresTestDatabase.create(12);
  }

  @AfterEach
  void dropSchema() throws Exception {
    database.close();
  }

  private List<Integer> schemaVersions() throws Exception {
    List<Integer> versions = new ArrayList<>();
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT version FROM faas4j_schema_version ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  @Test
  void storesStartingTogetherOnOneDatabaseMigrateItOnce() throws Exception {
    int stores = 6;
    ExecutorService pool = Executors.newFixedThreadPool(stores);
    List<JdbcFunctionStore> started = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<JdbcFunctionStore>> futures = new ArrayList<>();
      for (int i = 0; i < stores; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return JdbcFunctionStore.builder(database.dataSource()).build();
        }));
      }
      go.countDown();
      for (Future<JdbcFunctionStore> future : futures) {
        started.add(future.get(2, TimeUnit.MINUTES)); // a deadline against a hang, not a speed assertion
      }

      assertThat(schemaVersions()).as("one row per migration after %d concurrent starts", stores)
          .hasSize(Migrations.NUMBERS.size());
      FunctionState saved = state("hello", 1, "v1", Map.of(), version("hello", "v1", "one"));
      assertThat(started.get(0).save(saved)).as("a save through the first store").isTrue();
      assertThat(started.get(stores - 1).load("hello")).as("read through the last store").contains(saved);
    } finally {
      pool.shutdownNow();
      for (JdbcFunctionStore store : started) {
        store.close();
      }
    }
  }

  @Test
  void closingTheStoreLeavesTheCallersDataSourceOpen() throws Exception {
    JdbcFunctionStore.builder(database.dataSource()).build().close();

    assertThat(database.dataSource().isClosed()).as("caller's pool after store.close()").isFalse();
    assertThat(schemaVersions()).as("the pool still answers").hasSize(Migrations.NUMBERS.size());
  }
}
