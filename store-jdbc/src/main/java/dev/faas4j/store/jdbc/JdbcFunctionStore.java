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
import dev.faas4j.api.Validation;
import dev.faas4j.store.jdbc.internal.ChangeLog;
import dev.faas4j.store.jdbc.internal.ChangeWatcher;
import dev.faas4j.store.jdbc.internal.Dialect;
import dev.faas4j.store.jdbc.internal.FunctionReads;
import dev.faas4j.store.jdbc.internal.FunctionWrites;
import dev.faas4j.store.jdbc.internal.Migrations;
import dev.faas4j.store.jdbc.internal.CallRows;
import dev.faas4j.store.jdbc.internal.NodeRows;
import dev.faas4j.store.jdbc.internal.SecretRows;
import dev.faas4j.store.jdbc.internal.SqliteFiles;
import dev.faas4j.store.jdbc.internal.StoreInput;
import dev.faas4j.store.jdbc.internal.VersionRow;
import dev.faas4j.store.jdbc.internal.Writes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

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
 *       {@link JdbcFunctionStoreBuilder#maxCodeBytes(long)} in UTF-8 ({@code PAYLOAD_TOO_LARGE}); strings that are
 *       not valid Unicode, such as an unpaired surrogate ({@code INVALID_REQUEST}). A failure of
 *       the database is thrown as a checked {@link SQLException}.
 *   <li>Thread-safe. On SQLite the writers of one store are serialised in Java and each write
 *       takes the database's write lock up front ({@code BEGIN IMMEDIATE}), so threads never fail
 *       with {@code SQLITE_BUSY}; other processes wait up to the busy timeout.
 *   <li>The change feed ({@link FunctionStore}) is written in the transaction of the change it
 *       records, and keeps the last {@link JdbcFunctionStoreBuilder#keptChanges(int)} changes. Its revisions are
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

  private final DataSource dataSource;
  private final Dialect dialect;
  private final long maxCodeBytes;
  /** Held open for the store's life when it owns an SQLite file, so the WAL is not torn down and rebuilt. */
  private final Connection keepAlive;
  private final Writes writes;
  private final ChangeLog changeLog;
  private final FunctionWrites functionWrites;
  private final ChangeWatcher watcher;
  private final NodeRows nodes;
  private final CallRows calls;
  private final AtomicBoolean closed = new AtomicBoolean();

  JdbcFunctionStore(DataSource dataSource, boolean ownsDataSource, long maxCodeBytes, int keptChanges)
      throws SQLException {
    this.dataSource = dataSource;
    this.maxCodeBytes = maxCodeBytes;
    Connection held = dataSource.getConnection();
    try {
      this.dialect = Dialect.of(held);
      dialect.checkDatabase(held);
      if (dialect == Dialect.SQLITE && ownsDataSource) {
        SqliteFiles.checkWal(held);
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
    this.changeLog = new ChangeLog(dataSource, dialect, keptChanges, Clock.systemUTC());
    this.functionWrites = new FunctionWrites(dialect, changeLog);
    this.nodes = new NodeRows(dialect);
    this.calls = new CallRows(dialect);
    this.watcher = new ChangeWatcher("faas4j-changes-" + dialect.name().toLowerCase(Locale.ROOT),
        ChangeWatcher.openerFor(dialect, dataSource));
    // SQLite: let this store's poll see its own change now rather than in 250 ms
    this.writes = new Writes(dataSource, dialect, watcher::wake);
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
  public static JdbcFunctionStoreBuilder sqliteBuilder(Path file) {
    return new JdbcFunctionStoreBuilder(null, Objects.requireNonNull(file, "file"));
  }

  /**
   * A builder for a store on a caller-owned {@link DataSource} for SQLite or PostgreSQL (any
   * pool). {@link #close()} does not close it. On SQLite, configure the data source with WAL mode
   * and a busy timeout yourself; on PostgreSQL the database must be UTF8.
   */
  public static JdbcFunctionStoreBuilder builder(DataSource dataSource) {
    return new JdbcFunctionStoreBuilder(Objects.requireNonNull(dataSource, "dataSource"), null);
  }

  @Override
  public List<FunctionState> loadAll() throws SQLException {
    ensureOpen();
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginRead(connection)) {
      List<FunctionState> states = FunctionReads.all(connection);
      transaction.commit();
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
      Optional<FunctionState> state = FunctionReads.one(connection, key);
      transaction.commit();
      return state;
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
    return writes.run(connection -> functionWrites.save(connection, state, rows));
  }

  @Override
  public boolean delete(String name, long revision) throws SQLException {
    String key = Validation.canonical(Objects.requireNonNull(name, "name"));
    ensureOpen();
    if (!Validation.isLabel(name)) {
      return false; // never stored
    }
    return writes.run(connection -> functionWrites.delete(connection, key, revision));
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
    writes.run(connection -> {
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
    writes.run(connection -> {
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
    writes.run(connection -> {
      nodes.remove(connection, id);
      return true;
    });
  }

  @Override
  public void putSecret(String function, String key, String sealed) throws SQLException {
    ensureOpen();
    writes.run(connection -> {
      SecretRows.put(connection, Validation.canonical(function), key, sealed, System.currentTimeMillis());
      return true;
    });
  }

  @Override
  public boolean deleteSecret(String function, String key) throws SQLException {
    ensureOpen();
    return writes.run(connection -> SecretRows.delete(connection, Validation.canonical(function), key));
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
    return writes.run(connection -> calls.enqueue(connection, call, maxPending));
  }

  @Override
  public List<AsyncCall> claim(String node, int max, Instant now, Duration lease) throws SQLException {
    ensureOpen();
    List<List<AsyncCall>> claimed = new ArrayList<>(1);
    writes.run(connection -> claimed.add(calls.claim(connection, node, max, now, lease)));
    return claimed.get(0);
  }

  @Override
  public boolean update(AsyncCall call, String node) throws SQLException {
    ensureOpen();
    return writes.run(connection -> calls.update(connection, call, node));
  }

  @Override
  public int release(String node) throws SQLException {
    ensureOpen();
    int[] released = {0};
    writes.run(connection -> (released[0] = calls.release(connection, node)) >= 0);
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
    writes.run(connection -> (removed[0] = calls.prune(connection, before)) >= 0);
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

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this JdbcFunctionStore is closed: build a new one to use the database again");
    }
  }

  private static void closeQuietly(Connection connection, Throwable cause) {
    try {
      connection.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
