package dev.faas4j.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The call queue on an SQLite file (stores in one JVM share it; several processes would too). */
class SqliteCallQueueTest extends CallQueueContract {

  @TempDir
  Path dir;

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    return JdbcFunctionStore.sqlite(dir.resolve("faas4j.db"));
  }

  @Override
  protected JdbcFunctionStore another() throws Exception {
    return newStore();
  }
}
