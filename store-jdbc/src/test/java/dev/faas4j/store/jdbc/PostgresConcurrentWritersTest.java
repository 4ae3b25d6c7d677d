package dev.faas4j.store.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** Concurrent writers on one PostgreSQL schema ({@code FAAS4J_TEST_PG_URL}). */
@ExtendWith(RequiresPostgres.class)
class PostgresConcurrentWritersTest extends ConcurrentWritersContract {

  private PostgresTestDatabase database;

  @BeforeAll
  static void requireServer() {
    PostgresTestDatabase.serverUrl();
  }

  @Override
  protected JdbcFunctionStore openStore() throws Exception {
    if (database == null) {
      database = PostgresTestDatabase.create(12);
    }
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (database != null) {
      database.close();
    }
  }
}
