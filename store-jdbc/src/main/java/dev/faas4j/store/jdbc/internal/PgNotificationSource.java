package dev.faas4j.store.jdbc.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A connection that LISTENs on {@link ChangeLog#CHANNEL}: PostgreSQL's push of the change feed.
 *
 * <p>The connection comes from the store's {@link DataSource} and is kept for the watcher's life
 * (it counts against a pool's size). It must unwrap to pgjdbc's {@link PGConnection}. Notifications
 * for stores in other schemas of the same database are ignored. Since a LISTENing connection whose
 * network died silently would wait for ever, an idle connection is checked every
 * {@value #CHECK_EVERY_SECONDS} seconds.
 *
 * <p>Used by the watcher's thread only; {@link #close()} may come from any thread.
 */
final class PgNotificationSource implements ChangeWatcher.Source {

  private static final int WAIT_MILLIS = 500;
  private static final long CHECK_EVERY_SECONDS = 30;

  private final Connection connection;
  private final PGConnection pg;
  private final String schema;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long lastHeard = System.nanoTime();

  private PgNotificationSource(Connection connection, PGConnection pg, String schema) {
    this.connection = connection;
    this.pg = pg;
    this.schema = schema;
  }

  static PgNotificationSource open(DataSource dataSource) throws SQLException {
    Connection connection = dataSource.getConnection();
    try {
      if (!connection.isWrapperFor(PGConnection.class)) {
        throw new SQLException("the DataSource's connections (" + connection.getClass().getName() + ") do not"
            + " unwrap to org.postgresql.PGConnection, which faas4j needs to LISTEN for changes made by other"
            + " nodes: use a pool whose connections support unwrap (HikariCP does), or do not subscribe and"
            + " poll changesSince instead");
      }
      PGConnection pg = connection.unwrap(PGConnection.class);
      if (!connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true); // a LISTEN takes effect at commit
      }
      String schema;
      try (Statement statement = connection.createStatement()) {
        try (ResultSet rs = statement.executeQuery("SELECT COALESCE(current_schema(), '')")) {
          rs.next();
          schema = rs.getString(1);
        }
        statement.execute("LISTEN " + ChangeLog.CHANNEL);
      }
      return new PgNotificationSource(connection, pg, schema);
    } catch (SQLException | RuntimeException e) {
      ChangeWatcher.closeAfterFailure(connection, e);
      throw e;
    }
  }

  @Override
  public boolean await(ChangeWatcher.Pause pause) throws SQLException {
    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
    if (notifications == null || notifications.length == 0) {
      if (System.nanoTime() - lastHeard > TimeUnit.SECONDS.toNanos(CHECK_EVERY_SECONDS)) {
        lastHeard = System.nanoTime();
        if (!connection.isValid((int) CHECK_EVERY_SECONDS)) {
          throw new SQLException("the LISTEN connection no longer answers");
        }
      }
      return false;
    }
    lastHeard = System.nanoTime();
    for (PGNotification notification : notifications) {
      String payload = notification.getParameter();
      int colon = payload == null ? -1 : payload.lastIndexOf(':');
      if (ChangeLog.CHANNEL.equals(notification.getName()) && colon >= 0
          && payload.substring(0, colon).equals(schema)) {
        return true;
      }
    }
    return false;
  }

  /** Stops listening and returns the connection (to its pool, if any). Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      // A pooled connection must not keep collecting notifications. On a broken connection this
      // fails, and failing through the pool's proxy is what makes a pool (HikariCP, for one)
      // discard the connection: the driver calls of await() bypass the proxy, so the pool would
      // otherwise hand the dead connection out again, to the next reconnect.
      try (Statement statement = connection.createStatement()) {
        statement.execute("UNLISTEN *");
      } catch (SQLException ignored) {
        // broken: the pool has been told; closing is all that is left
      }
      connection.close();
    } catch (SQLException ignored) {
      // nothing more can be done with a connection that cannot be closed
    }
  }
}
