package dev.faas4j.store.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** Secrets on a real PostgreSQL server ({@code FAAS4J_TEST_PG_URL}), a new schema per test. */
@ExtendWith(RequiresPostgres.class)
class PostgresSecretStoreTest extends SecretStoreContract {

  private PostgresTestDatabase database;

  @BeforeAll
  static void requireServer() {
    PostgresTestDatabase.serverUrl();
  }

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    database = PostgresTestDatabase.create(4);
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  @Override
  protected JdbcFunctionStore reopen() throws Exception {
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  @AfterEach
  void dropSchema() throws Exception {
    if (database != null) {
      database.close();
    }
  }
}
