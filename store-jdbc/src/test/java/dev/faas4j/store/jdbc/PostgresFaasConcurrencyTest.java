package dev.faas4j.store.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RequiresPostgres.class)
class PostgresFaasConcurrencyTest extends FaasConcurrencyContract {

  private PostgresTestDatabase database;

  @BeforeEach
  void createDatabase() throws Exception {
    database = PostgresTestDatabase.create(12);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    database.close();
  }

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }
}
