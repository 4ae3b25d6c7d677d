package dev.faas4j.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent writers on one SQLite file. */
class SqliteConcurrentWritersTest extends ConcurrentWritersContract {

  @TempDir
  Path dir;

  @Override
  protected JdbcFunctionStore openStore() throws Exception {
    return JdbcFunctionStore.sqlite(dir.resolve("faas4j.db"));
  }
}
