package dev.faas4j.store.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Runs each write of a store in a transaction of its own. On SQLite the store's writers are
 * serialised in Java first (and each transaction takes the database's write lock up front), so
 * threads never fail with {@code SQLITE_BUSY}; after a commit there, the store's own feed poll is
 * woken so that it sees the change now rather than at its next tick. On PostgreSQL row locks
 * suffice.
 */
public final class Writes {

  /** The work of one transaction. */
  public interface Work {
    /** Does the work; returns whether to commit (false rolls back). */
    boolean run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final Dialect dialect;
  /** Null on PostgreSQL. */
  private final ReentrantLock writeLock;
  private final Runnable afterSqliteCommit;

  public Writes(DataSource dataSource, Dialect dialect, Runnable afterSqliteCommit) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.writeLock = dialect == Dialect.SQLITE ? new ReentrantLock() : null;
    this.afterSqliteCommit = afterSqliteCommit;
  }

  /** Runs {@code work} in one transaction; returns whether it committed. */
  public boolean run(Work work) throws SQLException {
    if (writeLock != null) {
      writeLock.lock();
    }
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginWrite(connection)) {
      try {
        if (work.run(connection)) {
          transaction.commit();
          if (writeLock != null) {
            afterSqliteCommit.run();
          }
          return true;
        }
        transaction.rollback();
        return false;
      } catch (SQLException | RuntimeException e) {
        transaction.rollbackQuietly(e);
        throw e;
      }
    } finally {
      if (writeLock != null) {
        writeLock.unlock();
      }
    }
  }
}
