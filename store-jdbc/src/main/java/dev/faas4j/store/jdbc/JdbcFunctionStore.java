package dev.faas4j.store.jdbc;

import dev.faas4j.api.Change;
import dev.faas4j.api.ChangeBatch;
import dev.faas4j.api.ChangeListener;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.CallQueue;
import dev.faas4j.api.NodeRegistry;
import dev.faas4j.api.SecretStore;
import dev.faas4j.api.TrafficSplit;
import dev.faas4j.api.Validation;
import dev.faas4j.store.jdbc.internal.AliasWeightRows;
import dev.faas4j.store.jdbc.internal.ChangeLog;
import dev.faas4j.store.jdbc.internal.ChangeWatcher;
import dev.faas4j.store.jdbc.internal.Dialect;
import dev.faas4j.store.jdbc.internal.FunctionWrites;
import dev.faas4j.store.jdbc.internal.Migrations;
import dev.faas4j.store.jdbc.internal.CallRows;
import dev.faas4j.store.jdbc.internal.NodeRows;
import dev.faas4j.store.jdbc.internal.SecretRows;
import dev.faas4j.store.jdbc.internal.SqliteFiles;
import dev.faas4j.store.jdbc.internal.StoreInput;
import dev.faas4j.store.jdbc.internal.VersionRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FunctionStore} on a JDBC database: an SQLite file (the embedded default) or
 * PostgreSQL (for several gateways sharing one database).
 *
 * <pre>{@code
 * // Embedded: the store creates and owns the file (and its directory).
 * FunctionStore store = JdbcFunctionStore.sqlite(Path.of("data/faas4j.db"));
 *
 * // Shared: the application owns the pool; close() leaves it open.
 * FunctionStore store = JdbcFunctionStore.builder(hikariDataSource).maxCodeBytes(1 << 20).build();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Building a store creates or upgrades its tables ({@code faas4j_functions},
 *       {@code faas4j_versions}, {@code faas4j_aliases}, {@code faas4j_alias_weights}, the change feed's {@code faas4j_feed}
 *       and {@code faas4j_changes}, and {@code faas4j_schema_version},
 *       which records the applied migrations). Stores starting at the same time on one database
 *       migrate it once. On PostgreSQL the tables go into the connection's current schema.
 *   <li>{@link #save} and {@link #delete} are each one transaction, compare-and-set on the
 *       function's revision: a stale write returns {@code false} and changes nothing. A call that
 *       returned has been committed. Versions are immutable: a save writes only the versions
 *       that are new and deletes only those that were dropped.
 *   <li>{@link #load} and {@link #loadAll} read one consistent snapshot; {@code loadAll} takes
 *       four queries whatever the number of functions.
 *   <li>Bad input is refused before the database, with a {@link FaasException}: code larger than
 *       {@link Builder#maxCodeBytes(long)} in UTF-8 ({@code PAYLOAD_TOO_LARGE}); strings that are
 *       not valid Unicode, such as an unpaired surrogate ({@code INVALID_REQUEST}). A failure of
 *       the database is thrown as a checked {@link SQLException}.
 *   <li>Thread-safe. On SQLite the writers of one store are serialised in Java and each write
 *       takes the database's write lock up front ({@code BEGIN IMMEDIATE}), so threads never fail
 *       with {@code SQLITE_BUSY}; other processes wait up to the busy timeout.
 *   <li>The change feed ({@link FunctionStore}) is written in the transaction of the change it
 *       records, and keeps the last {@link Builder#keptChanges(int)} changes. Its revisions are
 *       gap-free and in commit order, across every store on the database. Subscribers are called
 *       by one daemon thread per store, started by the first {@link #subscribe}: on PostgreSQL it
 *       LISTENs on a connection of its own taken from the DataSource (within about a second of a
 *       commit anywhere; after that connection breaks, it reconnects and signals a resync); on
 *       SQLite it polls the feed every 250 ms, which also covers other stores and processes on the
 *       same file.
 *   <li>Arguments must not be null ({@link NullPointerException}). After {@link #close()} every
 *       method but {@code close} throws {@link IllegalStateException}.
 *   <li>As a {@link SecretStore} it keeps secrets in {@code faas4j_secrets}, sealed by faas-core:
 *       the database never sees a value in clear text.
 *   <li>As a {@link CallQueue} it keeps asynchronous invocations in {@code faas4j_calls}; on
 *       PostgreSQL, nodes claim calls with {@code FOR UPDATE SKIP LOCKED}.
 * </ul>
 */
public final class JdbcFunctionStore implements FunctionStore, NodeRegistry, SecretStore, CallQueue {

  /** The default limit on a version's code: 10 MiB in UTF-8, as on Cloudflare Workers. */
  public static final long DEFAULT_MAX_CODE_BYTES = 10L << 20;
  /** How many changes the feed keeps by default; a node further behind reloads everything. */
  public static final int DEFAULT_KEPT_CHANGES = 10_000;
  /** How long an SQLite connection owned by the store waits for another process's lock by default. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(JdbcFunctionStore.class);


  private final DataSource dataSource;
  private final Dialect dialect;
  private final long maxCodeBytes;
  /** Held open for the store's life when it owns an SQLite file, so the WAL is not torn down and rebuilt. */
  private final Connection keepAlive;
  /** Serialises this store's SQLite writers; null on PostgreSQL, whose row locks suffice. */
  private final ReentrantLock writeLock;
  private final ChangeLog changeLog;
  private final FunctionWrites writes;
  private final ChangeWatcher watcher;
  private final NodeRows nodes;
  private final CallRows calls;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcFunctionStore(DataSource dataSource, boolean ownsDataSource, long maxCodeBytes, int keptChanges)
      throws SQLException {
    this.dataSource = dataSource;
    this.maxCodeBytes = maxCodeBytes;
    Connection held = dataSource.getConnection();
    try {
      this.dialect = Dialect.of(held);
      dialect.checkDatabase(held);
      if (dialect == Dialect.SQLITE && ownsDataSource) {
        checkWal(held);
      }
      Migrations.migrate(held, dialect);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(held, e);
      throw e;
    }
    if (ownsDataSource) {
      this.keepAlive = held;
    } else {
      this.keepAlive = null;
      held.close();
    }
    this.writeLock = dialect == Dialect.SQLITE ? new ReentrantLock() : null;
    this.changeLog = new ChangeLog(dataSource, dialect, keptChanges, Clock.systemUTC());
    this.writes = new FunctionWrites(dialect, changeLog);
    this.nodes = new NodeRows(dialect);
    this.calls = new CallRows(dialect);
    this.watcher = new ChangeWatcher("faas4j-changes-" + dialect.name().toLowerCase(Locale.ROOT),
        ChangeWatcher.openerFor(dialect, dataSource));
  }

  /**
   * A store on the SQLite file {@code file} with every default: the file and its parent
   * directories are created if missing. Equivalent to {@code sqliteBuilder(file).build()}.
   *
   * @throws SQLException if the file cannot be created or opened, or its schema is newer than
   *     this version of faas4j
   */
  public static JdbcFunctionStore sqlite(Path file) throws SQLException {
    return sqliteBuilder(file).build();
  }

  /**
   * A builder for a store that creates and owns an SQLite database at {@code file}: WAL mode,
   * {@code synchronous=FULL}, foreign keys on, a busy timeout ({@link #DEFAULT_BUSY_TIMEOUT}
   * unless set). {@link #close()} closes it.
   */
  public static Builder sqliteBuilder(Path file) {
    return new Builder(null, Objects.requireNonNull(file, "file"));
  }

  /**
   * A builder for a store on a caller-owned {@link DataSource} for SQLite or PostgreSQL (any
   * pool). {@link #close()} does not close it. On SQLite, configure the data source with WAL mode
   * and a busy timeout yourself; on PostgreSQL the database must be UTF8.
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  @Override
  public List<FunctionState> loadAll() throws SQLException {
    ensureOpen();
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginRead(connection)) {
      Map<String, FunctionHead> heads = new LinkedHashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SELECT fn_key, name, revision, latest FROM faas4j_functions")) {
        while (rs.next()) {
          heads.put(rs.getString(1), new FunctionHead(rs.getString(2), rs.getLong(3), rs.getString(4)));
        }
      }
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SELECT " + VersionRow.COLUMNS
              + " FROM faas4j_versions ORDER BY fn_key, position")) {
        while (rs.next()) {
          FunctionHead head = heads.get(rs.getString(1));
          if (head != null) {
            head.versions.add(readVersion(rs));
          }
        }
      }
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SELECT fn_key, alias, version FROM faas4j_aliases")) {
        while (rs.next()) {
          FunctionHead head = heads.get(rs.getString(1));
          if (head != null) {
            head.aliases.put(rs.getString(2), rs.getString(3));
          }
        }
      }
      AliasWeightRows.readAll(connection).forEach((key, splits) -> {
        FunctionHead head = heads.get(key);
        if (head != null) {
          head.splits.putAll(splits);
        }
      });
      transaction.commit();
      List<FunctionState> states = new ArrayList<>(heads.size());
      for (FunctionHead head : heads.values()) {
        states.add(head.toState());
      }
      return states;
    }
  }

  @Override
  public Optional<FunctionState> load(String name) throws SQLException {
    String key = Validation.canonical(Objects.requireNonNull(name, "name"));
    ensureOpen();
    if (!Validation.isLabel(name)) {
      return Optional.empty(); // never stored, and not worth a round trip
    }
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginRead(connection)) {
      FunctionHead head;
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT name, revision, latest FROM faas4j_functions WHERE fn_key = ?")) {
        statement.setString(1, key);
        try (ResultSet rs = statement.executeQuery()) {
          if (!rs.next()) {
            transaction.commit();
            return Optional.empty();
          }
          head = new FunctionHead(rs.getString(1), rs.getLong(2), rs.getString(3));
        }
      }
      try (PreparedStatement statement = connection.prepareStatement("SELECT " + VersionRow.COLUMNS
          + " FROM faas4j_versions WHERE fn_key = ? ORDER BY position")) {
        statement.setString(1, key);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            head.versions.add(readVersion(rs));
          }
        }
      }
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT alias, version FROM faas4j_aliases WHERE fn_key = ?")) {
        statement.setString(1, key);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            head.aliases.put(rs.getString(1), rs.getString(2));
          }
        }
      }
      head.splits.putAll(AliasWeightRows.read(connection, key));
      transaction.commit();
      return Optional.of(head.toState());
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws FaasException {@code PAYLOAD_TOO_LARGE} or {@code INVALID_REQUEST} for input the
   *     store refuses (see the class documentation); nothing is written
   * @throws SQLException if the database fails; the outcome of a failed commit is unknown
   */
  @Override
  public boolean save(FunctionState state) throws SQLException {
    Objects.requireNonNull(state, "state");
    StoreInput.check(state, maxCodeBytes);
    List<VersionRow> rows = new ArrayList<>(state.versions().size());
    for (FunctionVersion version : state.versions()) {
      rows.add(VersionRow.of(version));
    }
    ensureOpen();
    return write(connection -> writes.save(connection, state, rows));
  }

  @Override
  public boolean delete(String name, long revision) throws SQLException {
    String key = Validation.canonical(Objects.requireNonNull(name, "name"));
    ensureOpen();
    if (!Validation.isLabel(name)) {
      return false; // never stored
    }
    return write(connection -> writes.delete(connection, key, revision));
  }

  @Override
  public long currentRevision() throws SQLException {
    ensureOpen();
    return changeLog.currentRevision();
  }

  @Override
  public ChangeBatch changesSince(long revision, int max) throws SQLException {
    FunctionStore.checkFeedQuery(revision, max);
    ensureOpen();
    return changeLog.changesSince(revision, max);
  }

  @Override
  public long announce(String function, Change.Kind kind, String version) throws SQLException {
    FunctionStore.checkAnnouncement(function, kind, version);
    ensureOpen();
    ChangeLog.Draft draft = new ChangeLog.Draft(Validation.canonical(function), kind,
        version == null ? null : Validation.canonical(version), null);
    long[] revision = {0};
    write(connection -> {
      revision[0] = changeLog.record(connection, List.of(draft));
      return true;
    });
    return revision[0];
  }

  /**
   * {@inheritDoc}
   *
   * @throws SQLException if the first subscription cannot open its connection; on PostgreSQL also
   *     if the DataSource's connections do not unwrap to {@code org.postgresql.PGConnection}
   */
  @Override
  public Subscription subscribe(ChangeListener listener) throws SQLException {
    ensureOpen();
    return watcher.subscribe(listener);
  }

  @Override
  public void heartbeat(NodeInfo node) throws SQLException {
    ensureOpen();
    write(connection -> {
      nodes.heartbeat(connection, node);
      return true;
    });
  }

  @Override
  public List<NodeInfo> liveNodes(Duration expiry) throws SQLException {
    NodeRegistry.checkExpiry(expiry);
    ensureOpen();
    try (Connection connection = dataSource.getConnection()) {
      return nodes.live(connection, expiry);
    }
  }

  @Override
  public void removeNode(String id) throws SQLException {
    ensureOpen();
    write(connection -> {
      nodes.remove(connection, id);
      return true;
    });
  }

  @Override
  public void putSecret(String function, String key, String sealed) throws SQLException {
    ensureOpen();
    write(connection -> {
      SecretRows.put(connection, Validation.canonical(function), key, sealed, System.currentTimeMillis());
      return true;
    });
  }

  @Override
  public boolean deleteSecret(String function, String key) throws SQLException {
    ensureOpen();
    return write(connection -> SecretRows.delete(connection, Validation.canonical(function), key));
  }

  @Override
  public Map<String, String> secrets(String function) throws SQLException {
    ensureOpen();
    try (Connection connection = dataSource.getConnection()) {
      return SecretRows.all(connection, Validation.canonical(function));
    }
  }

  @Override
  public boolean enqueue(AsyncCall call, int maxPending) throws SQLException {
    ensureOpen();
    return write(connection -> calls.enqueue(connection, call, maxPending));
  }

  @Override
  public List<AsyncCall> claim(String node, int max, Instant now, Duration lease) throws SQLException {
    ensureOpen();
    List<List<AsyncCall>> claimed = new ArrayList<>(1);
    write(connection -> claimed.add(calls.claim(connection, node, max, now, lease)));
    return claimed.get(0);
  }

  @Override
  public boolean update(AsyncCall call, String node) throws SQLException {
    ensureOpen();
    return write(connection -> calls.update(connection, call, node));
  }

  @Override
  public int release(String node) throws SQLException {
    ensureOpen();
    int[] released = {0};
    write(connection -> (released[0] = calls.release(connection, node)) >= 0);
    return released[0];
  }

  @Override
  public Optional<AsyncCall> call(String id) throws SQLException {
    ensureOpen();
    try (Connection connection = dataSource.getConnection()) {
      return calls.find(connection, id);
    }
  }

  @Override
  public int pending() throws SQLException {
    ensureOpen();
    try (Connection connection = dataSource.getConnection()) {
      return calls.pending(connection);
    }
  }

  @Override
  public int prune(Instant before) throws SQLException {
    ensureOpen();
    int[] removed = {0};
    write(connection -> (removed[0] = calls.prune(connection, before)) >= 0);
    return removed[0];
  }

  /**
   * Stops the change watcher (its thread and connection), and closes the SQLite file if the store
   * owns it; a caller's DataSource stays open. Idempotent.
   */
  @Override
  public void close() throws SQLException {
    if (closed.compareAndSet(false, true)) {
      watcher.close();
      if (keepAlive != null) {
        keepAlive.close();
      }
    }
  }

  @Override
  public String toString() {
    return "JdbcFunctionStore[" + dialect + (closed.get() ? ", closed" : "") + "]";
  }

  private interface Work {
    /** Does the work of one transaction; returns whether to commit. */
    boolean run(Connection connection) throws SQLException;
  }

  private boolean write(Work work) throws SQLException {
    if (writeLock != null) {
      writeLock.lock();
    }
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginWrite(connection)) {
      try {
        if (work.run(connection)) {
          transaction.commit();
          if (writeLock != null) {
            watcher.wake(); // SQLite: let this store's poll see the change now rather than in 250 ms
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

  /** Reads a row selected with {@link #VersionRow.COLUMNS}. */
  private static FunctionVersion readVersion(ResultSet rs) throws SQLException {
    int i = 1; // column 1 is fn_key
    return new VersionRow(rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i),
        rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i),
        rs.getString(++i), rs.getLong(++i), rs.getInt(++i), rs.getString(++i)).toVersion();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this JdbcFunctionStore is closed: build a new one to use the database again");
    }
  }

  private static void checkWal(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("PRAGMA journal_mode")) {
      String mode = rs.next() ? rs.getString(1) : "unknown";
      if (!"wal".equalsIgnoreCase(mode)) {
        LOG.warn("the faas4j SQLite database runs in journal mode {} instead of WAL (is it on a file system"
            + " without shared memory?); readers and writers will block each other", mode);
      }
    }
  }

  private static void closeQuietly(Connection connection, Throwable cause) {
    try {
      connection.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /** A function row being assembled from the three tables. */
  private static final class FunctionHead {
    final String name;
    final long revision;
    final String latest;
    final List<FunctionVersion> versions = new ArrayList<>();
    final Map<String, String> aliases = new LinkedHashMap<>();
    final Map<String, TrafficSplit> splits = new LinkedHashMap<>();

    FunctionHead(String name, long revision, String latest) {
      this.name = name;
      this.revision = revision;
      this.latest = latest;
    }

    FunctionState toState() throws SQLDataException {
      try {
        return new FunctionState(name, revision, versions, aliases, latest, splits);
      } catch (RuntimeException e) {
        throw new SQLDataException("stored function " + name + " is inconsistent (were the faas4j tables edited"
            + " by hand?): " + e.getMessage(), e);
      }
    }
  }

  /**
   * Configures and builds a {@link JdbcFunctionStore}. Not thread-safe; each option may be set
   * once (setting it again throws {@link IllegalStateException}), and a bad value throws
   * {@link IllegalArgumentException} at once.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private final Path sqliteFile;
    private Long maxCodeBytes;
    private Duration busyTimeout;
    private Integer keptChanges;

    private Builder(DataSource dataSource, Path sqliteFile) {
      this.dataSource = dataSource;
      this.sqliteFile = sqliteFile;
    }

    /**
     * The largest code a version may have, in UTF-8 bytes; larger code is refused with
     * {@code PAYLOAD_TOO_LARGE}. Default {@link #DEFAULT_MAX_CODE_BYTES} (10 MiB).
     */
    public Builder maxCodeBytes(long maxCodeBytes) {
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
     * process before failing. Default {@link #DEFAULT_BUSY_TIMEOUT}. Only for
     * {@link JdbcFunctionStore#sqliteBuilder(Path)}: a caller's DataSource is configured by the caller.
     */
    public Builder busyTimeout(Duration busyTimeout) {
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
     * {@link #DEFAULT_KEPT_CHANGES}. Shared by every store on the database in effect: each prunes
     * to its own setting when it writes, so give them all the same.
     */
    public Builder keptChanges(int keptChanges) {
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
      long limit = maxCodeBytes == null ? DEFAULT_MAX_CODE_BYTES : maxCodeBytes;
      int kept = keptChanges == null ? DEFAULT_KEPT_CHANGES : keptChanges;
      if (sqliteFile != null) {
        DataSource owned = SqliteFiles.dataSource(sqliteFile,
            busyTimeout == null ? DEFAULT_BUSY_TIMEOUT : busyTimeout);
        return new JdbcFunctionStore(owned, true, limit, kept);
      }
      return new JdbcFunctionStore(dataSource, false, limit, kept);
    }
  }
}
