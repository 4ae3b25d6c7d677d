package dev.faas4j.store.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Secrets on an SQLite file. */
class SqliteSecretStoreTest extends SecretStoreContract {

  @TempDir
  Path dir;

  @Override
  protected JdbcFunctionStore newStore() throws Exception {
    return JdbcFunctionStore.sqlite(dir.resolve("faas4j.db"));
  }

  @Override
  protected JdbcFunctionStore reopen() throws Exception {
    return newStore();
  }
}
