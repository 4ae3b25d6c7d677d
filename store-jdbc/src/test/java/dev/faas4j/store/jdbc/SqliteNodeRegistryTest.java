package dev.faas4j.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The node directory on an SQLite file. */
class SqliteNodeRegistryTest extends NodeRegistryContract {

  @TempDir
  Path dir;

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    return JdbcFunctionStore.sqlite(dir.resolve("faas4j.db"));
  }
}
