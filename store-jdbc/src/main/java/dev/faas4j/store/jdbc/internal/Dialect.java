package dev.faas4j.store.jdbc.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Locale;

/**
 * The few things that differ between the databases the store runs on: how a transaction starts
 * and ends, and how schema migrations are kept from running twice at once. All table SQL is shared.
 *
 * <p>Stateless and thread-safe.
 */
public enum Dialect {

  /**
   * SQLite. Transactions are started with SQL so that a write takes the database's write lock up
   * front ({@code BEGIN IMMEDIATE}): a deferred transaction that reads first and writes later can
   * fail with {@code SQLITE_BUSY} on the lock upgrade, whatever the busy timeout. Reads use a
   * deferred transaction, which in WAL mode is a consistent snapshot.
   */
  SQLITE {
    @Override
    public Transaction beginWrite(Connection connection) throws SQLException {
      return SqlTransaction.begin(connection, "BEGIN IMMEDIATE");
    }

    @Override
    public Transaction beginRead(Connection connection) throws SQLException {
      return SqlTransaction.begin(connection, "BEGIN");
    }

    @Override
    public Transaction beginMigration(Connection connection) throws SQLException {
      // BEGIN IMMEDIATE already excludes every other writer, in this process or another.
      return beginWrite(connection);
    }

    @Override
    public String nowMillis() {
      return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    }
  },

  /**
   * PostgreSQL. Writes run at READ COMMITTED, where the compare-and-set {@code UPDATE} waits for a
   * concurrent writer of the same row and then sees its revision (so the loser gets 0 rows rather
   * than a serialisation error). Reads run at REPEATABLE READ, one snapshot for the several
   * queries of a load. Migrations take a transaction-scoped advisory lock.
   */
  POSTGRESQL {
    @Override
    public Transaction beginWrite(Connection connection) throws SQLException {
      return JdbcTransaction.begin(connection, Connection.TRANSACTION_READ_COMMITTED, false);
    }

    @Override
    public Transaction beginRead(Connection connection) throws SQLException {
      return JdbcTransaction.begin(connection, Connection.TRANSACTION_REPEATABLE_READ, true);
    }

    @Override
    public Transaction beginMigration(Connection connection) throws SQLException {
      Transaction transaction = beginWrite(connection);
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        lock.setLong(1, MIGRATION_LOCK_KEY);
        lock.execute();
      } catch (SQLException e) {
        transaction.rollbackQuietly(e);
        transaction.close();
        throw e;
      }
      return transaction;
    }

    @Override
    public String nowMillis() {
      return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
    }

    @Override
    public void checkDatabase(Connection connection) throws SQLException {
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SHOW server_encoding")) {
        String encoding = rs.next() ? rs.getString(1) : "unknown";
        if (!"UTF8".equalsIgnoreCase(encoding)) {
          throw new SQLException("the PostgreSQL database's encoding is " + encoding
              + "; faas4j stores code as UTF-8 text: create the database with ENCODING 'UTF8'"
              + " (e.g. createdb -E UTF8 -T template0 ...)");
        }
      }
    }
  };

  /** An arbitrary constant that names "the faas4j schema migration" among advisory locks. */
  static final long MIGRATION_LOCK_KEY = 0x6661617334_6a4dL;

  /** Starts a transaction that will write; it holds the write lock (SQLite) from the start. */
  public abstract Transaction beginWrite(Connection connection) throws SQLException;

  /** Starts a read-only transaction that sees one consistent snapshot. */
  public abstract Transaction beginRead(Connection connection) throws SQLException;

  /** Starts the transaction that checks and migrates the schema, excluding every other migrator. */
  public abstract Transaction beginMigration(Connection connection) throws SQLException;

  /** An SQL expression for the database's current time in milliseconds since the epoch. */
  public abstract String nowMillis();

  /** Checks that the database can hold what the store writes; throws a clear exception if not. */
  public void checkDatabase(Connection connection) throws SQLException {}

  /**
   * The dialect of the database behind {@code connection}.
   *
   * @throws SQLFeatureNotSupportedException for a database other than SQLite or PostgreSQL
   */
  public static Dialect of(Connection connection) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    String product = metaData.getDatabaseProductName();
    String normalised = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (normalised.contains("sqlite")) {
      return SQLITE;
    }
    if (normalised.contains("postgresql")) {
      return POSTGRESQL;
    }
    throw new SQLFeatureNotSupportedException("the database is " + product
        + "; faas4j's JDBC store supports SQLite and PostgreSQL: pass a DataSource for one of them");
  }

  /** A transaction on one connection. {@link #close()} restores the connection's settings. */
  public interface Transaction extends AutoCloseable {
    void commit() throws SQLException;

    void rollback() throws SQLException;

    /** Rolls back, adding a failure of the rollback to {@code cause} instead of throwing it. */
    default void rollbackQuietly(Throwable cause) {
      try {
        rollback();
      } catch (SQLException | RuntimeException e) {
        cause.addSuppressed(e);
      }
    }

    @Override
    void close() throws SQLException;
  }

  /** A transaction driven by SQL statements on a connection left in auto-commit mode (SQLite). */
  private static final class SqlTransaction implements Transaction {
    private final Connection connection;
    private final boolean restoreAutoCommitOff;
    private boolean open = true;

    private SqlTransaction(Connection connection, boolean restoreAutoCommitOff) {
      this.connection = connection;
      this.restoreAutoCommitOff = restoreAutoCommitOff;
    }

    static SqlTransaction begin(Connection connection, String beginSql) throws SQLException {
      boolean autoCommitWasOff = !connection.getAutoCommit();
      if (autoCommitWasOff) {
        // The driver would have begun a deferred transaction of its own; ours must be the only one.
        connection.setAutoCommit(true);
      }
      SqlTransaction transaction = new SqlTransaction(connection, autoCommitWasOff);
      try (Statement statement = connection.createStatement()) {
        statement.execute(beginSql);
      } catch (SQLException e) {
        transaction.open = false;
        transaction.close();
        throw e;
      }
      return transaction;
    }

    @Override
    public void commit() throws SQLException {
      end("COMMIT");
    }

    @Override
    public void rollback() throws SQLException {
      end("ROLLBACK");
    }

    private void end(String sql) throws SQLException {
      if (!open) {
        return;
      }
      open = false;
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }

    @Override
    public void close() throws SQLException {
      try {
        if (open) {
          rollback();
        }
      } finally {
        if (restoreAutoCommitOff) {
          connection.setAutoCommit(false);
        }
      }
    }
  }

  /** A transaction driven through the JDBC API (PostgreSQL), restoring the connection afterwards. */
  private static final class JdbcTransaction implements Transaction {
    private final Connection connection;
    private final boolean autoCommit;
    private final int isolation;
    private final boolean readOnly;
    private boolean open = true;

    private JdbcTransaction(Connection connection) throws SQLException {
      this.connection = connection;
      this.autoCommit = connection.getAutoCommit();
      this.isolation = connection.getTransactionIsolation();
      this.readOnly = connection.isReadOnly();
    }

    static JdbcTransaction begin(Connection connection, int isolation, boolean readOnly) throws SQLException {
      JdbcTransaction transaction = new JdbcTransaction(connection);
      if (!transaction.autoCommit) {
        // A pool that hands out connections in manual-commit mode: end whatever it left open.
        connection.rollback();
      }
      connection.setAutoCommit(true);
      connection.setTransactionIsolation(isolation);
      connection.setReadOnly(readOnly);
      connection.setAutoCommit(false);
      return transaction;
    }

    @Override
    public void commit() throws SQLException {
      open = false;
      connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
      if (open) {
        open = false;
        connection.rollback();
      }
    }

    @Override
    public void close() throws SQLException {
      try {
        if (open) {
          rollback();
        }
      } finally {
        connection.setAutoCommit(autoCommit);
        connection.setTransactionIsolation(isolation);
        connection.setReadOnly(readOnly);
      }
    }
  }
}
