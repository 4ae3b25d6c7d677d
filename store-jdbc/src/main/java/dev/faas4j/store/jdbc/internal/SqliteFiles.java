package dev.faas4j.store.jdbc.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Makes the {@link DataSource} of a store that owns its SQLite file. Kept apart so that
 * {@code sqlite-jdbc} is only loaded by stores that use it.
 */
public final class SqliteFiles {

  private SqliteFiles() {}

  /**
   * A data source for {@code file}, creating its parent directories. Every connection it opens
   * uses WAL mode, the given busy timeout, enforced foreign keys and {@code synchronous=FULL}
   * (a commit is on disk before it returns, so it also survives a power cut, not only a crash).
   *
   * @throws SQLException if the parent directory cannot be created
   */
  public static DataSource dataSource(Path file, Duration busyTimeout) throws SQLException {
    Path absolute = file.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new SQLException("cannot create the directory " + parent + " for the faas4j SQLite database: "
          + e.getMessage() + "; choose a writable location for the store file", e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    config.enforceForeignKeys(true);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + absolute);
    return dataSource;
  }
}
