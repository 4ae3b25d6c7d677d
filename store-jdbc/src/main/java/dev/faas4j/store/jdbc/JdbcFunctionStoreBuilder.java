package dev.faas4j.store.jdbc;

import dev.faas4j.store.jdbc.internal.SqliteFiles;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Configures and builds a {@link JdbcFunctionStore}. Not thread-safe; each option may be set
 * once (setting it again throws {@link IllegalStateException}), and a bad value throws
 * {@link IllegalArgumentException} at once.
 */
public final class JdbcFunctionStoreBuilder {
  private final DataSource dataSource;
  private final Path sqliteFile;
  private Long maxCodeBytes;
  private Duration busyTimeout;
  private Integer keptChanges;

  JdbcFunctionStoreBuilder(DataSource dataSource, Path sqliteFile) {
    this.dataSource = dataSource;
    this.sqliteFile = sqliteFile;
  }

  /**
   * The largest code a version may have, in UTF-8 bytes; larger code is refused with
   * {@code PAYLOAD_TOO_LARGE}. Default {@link JdbcFunctionStore#DEFAULT_MAX_CODE_BYTES} (10 MiB).
   */
  public JdbcFunctionStoreBuilder maxCodeBytes(long maxCodeBytes) {
    if (this.maxCodeBytes != null) {
      throw new IllegalStateException("maxCodeBytes was already set to " + this.maxCodeBytes);
    }
    if (maxCodeBytes <= 0) {
      throw new IllegalArgumentException("maxCodeBytes must be positive: " + maxCodeBytes);
    }
    this.maxCodeBytes = maxCodeBytes;
    return this;
  }

  /**
   * How long a connection to the store's own SQLite file waits for a lock held by another
   * process before failing. Default {@link JdbcFunctionStore#DEFAULT_BUSY_TIMEOUT}. Only for
   * {@link JdbcFunctionStore#sqliteBuilder(Path)}: a caller's DataSource is configured by the caller.
   */
  public JdbcFunctionStoreBuilder busyTimeout(Duration busyTimeout) {
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (sqliteFile == null) {
      throw new IllegalStateException("busyTimeout applies to a store that owns its SQLite file"
          + " (JdbcFunctionStore.sqliteBuilder); set it on your own DataSource instead");
    }
    if (this.busyTimeout != null) {
      throw new IllegalStateException("busyTimeout was already set to " + this.busyTimeout);
    }
    if (busyTimeout.isNegative() || busyTimeout.isZero()) {
      throw new IllegalArgumentException("busyTimeout must be positive: " + busyTimeout);
    }
    this.busyTimeout = busyTimeout;
    return this;
  }

  /**
   * How many of the latest changes the feed keeps (older ones are deleted as new ones are
   * written); a node that has not followed the feed for longer reloads everything. Default
   * {@link JdbcFunctionStore#DEFAULT_KEPT_CHANGES}. Shared by every store on the database in effect: each prunes
   * to its own setting when it writes, so give them all the same.
   */
  public JdbcFunctionStoreBuilder keptChanges(int keptChanges) {
    if (this.keptChanges != null) {
      throw new IllegalStateException("keptChanges was already set to " + this.keptChanges);
    }
    if (keptChanges < 1) {
      throw new IllegalArgumentException("keptChanges must be at least 1: " + keptChanges);
    }
    this.keptChanges = keptChanges;
    return this;
  }

  /**
   * Connects, checks the database and migrates its schema, and returns the store.
   *
   * @throws SQLException if the database cannot be reached, is neither SQLite nor PostgreSQL,
   *     is not UTF8 (PostgreSQL), or has a schema newer than this version of faas4j
   */
  public JdbcFunctionStore build() throws SQLException {
    long limit = maxCodeBytes == null ? JdbcFunctionStore.DEFAULT_MAX_CODE_BYTES : maxCodeBytes;
    int kept = keptChanges == null ? JdbcFunctionStore.DEFAULT_KEPT_CHANGES : keptChanges;
    if (sqliteFile != null) {
      DataSource owned = SqliteFiles.dataSource(sqliteFile,
          busyTimeout == null ? JdbcFunctionStore.DEFAULT_BUSY_TIMEOUT : busyTimeout);
      return new JdbcFunctionStore(owned, true, limit, kept);
    }
    return new JdbcFunctionStore(dataSource, false, limit, kept);
  }
}
