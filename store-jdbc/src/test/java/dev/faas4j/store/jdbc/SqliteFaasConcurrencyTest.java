package dev.faas4j.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteFaasConcurrencyTest extends FaasConcurrencyContract {

  @TempDir
  Path dir;

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    return JdbcFunctionStore.sqlite(dir.resolve("faas.db"));
  }
}
