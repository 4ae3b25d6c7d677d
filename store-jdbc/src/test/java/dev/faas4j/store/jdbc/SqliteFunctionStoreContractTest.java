package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real SQLite file, a new one for every test. */
class SqliteFunctionStoreContractTest extends FunctionStoreContract {

  @TempDir
  Path dir;

  @Override
  protected FunctionStore newStore() throws Exception {
    return JdbcFunctionStore.sqlite(dir.resolve("faas4j.db"));
  }

  @Override
  protected FunctionStore newStoreKeepingChanges(int keep) throws Exception {
    return JdbcFunctionStore.sqliteBuilder(dir.resolve("small.db")).keptChanges(keep).build();
  }
}
