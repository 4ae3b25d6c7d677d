package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The store contract on a real PostgreSQL server ({@code FAAS4J_TEST_PG_URL}), in a new schema
 * for every test.
 */
@ExtendWith(RequiresPostgres.class)
class PostgresFunctionStoreContractTest extends FunctionStoreContract {

  private PostgresTestDatabase database;

  /** Skips (or, under CI, fails) the whole class before the contract's per-test set-up runs. */
  @BeforeAll
  static void requireServer() {
    PostgresTestDatabase.serverUrl();
  }

  @Override
  protected FunctionStore newStore() throws Exception {
    database = PostgresTestDatabase.create(10);
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  /** A store on the same (empty) schema as the suite's own, which the test does not write to. */
  @Override
  protected FunctionStore newStoreKeepingChanges(int keep) throws Exception {
    return JdbcFunctionStore.builder(database.dataSource()).keptChanges(keep).build();
  }

  /** Runs before the contract's own {@code @AfterEach} closes the store, which does not need the pool. */
  @AfterEach
  void dropSchema() throws Exception {
    if (database != null) {
      database.close();
    }
  }
}
