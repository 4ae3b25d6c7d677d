package dev.faas4j.store.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The call queue on a real PostgreSQL server ({@code FAAS4J_TEST_PG_URL}): several stores claim at
 * once with {@code FOR UPDATE SKIP LOCKED}, each call going to one of them.
 */
@ExtendWith(RequiresPostgres.class)
class PostgresCallQueueTest extends CallQueueContract {

  private PostgresTestDatabase database;

  @BeforeAll
  static void requireServer() {
    PostgresTestDatabase.serverUrl();
  }

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    database = PostgresTestDatabase.create(8);
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  @Override
  protected JdbcFunctionStore another() throws Exception {
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (database != null) {
      database.close();
    }
  }
}
