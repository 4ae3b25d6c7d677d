package dev.faas4j.store.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * SQLite has no push between processes, so this source polls the feed's head every
 * {@value #POLL_MILLIS} ms on a connection of its own, and at once when the store itself has just
 * committed ({@link ChangeWatcher#wake()}). Reading one row of a local file is cheap.
 *
 * <p>Used by the watcher's thread only; {@link #close()} may come from any thread.
 */
final class SqlitePollSource implements ChangeWatcher.Source {

  static final long POLL_MILLIS = 250;

  private final Connection connection;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long seen;

  private SqlitePollSource(Connection connection, long seen) {
    this.connection = connection;
    this.seen = seen;
  }

  static SqlitePollSource open(DataSource dataSource) throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      connection.setAutoCommit(true);
      return new SqlitePollSource(connection, ChangeLog.head(connection).revision());
    } catch (SQLException | RuntimeException e) {
      ChangeWatcher.closeAfterFailure(connection, e);
      throw e;
    }
  }

  @Override
  public boolean await(ChangeWatcher.Pause pause) throws SQLException, InterruptedException {
    if (!pause.pause(POLL_MILLIS)) {
      return false;
    }
    long revision = ChangeLog.head(connection).revision();
    boolean moved = revision != seen;
    seen = revision;
    return moved;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // nothing more can be done with a connection that cannot be closed
      }
    }
  }
}
