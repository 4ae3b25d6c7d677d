package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.Change;
import dev.faas4j.api.ChangeBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL of the change feed: tables {@code faas4j_feed} (one row: the last revision, and how far
 * the feed was pruned) and {@code faas4j_changes} (one row per recent change).
 *
 * <h2>Why revisions come out in commit order</h2>
 * A writer numbers its changes by raising {@code faas4j_feed.revision} with an {@code UPDATE},
 * the last statement of its transaction before the inserts. On PostgreSQL that row lock is held
 * until commit, so a second writer waits at its own {@code UPDATE} until the first has committed
 * and then reads the raised value: numbers are handed out one transaction at a time, in commit
 * order, and a reader can never see revision 11 before 10 is visible. A {@code BIGSERIAL} or a
 * sequence would not do: it hands out numbers at insert time, so a transaction that took 10 and
 * commits late lets readers see 11 first and skip 10 for ever. The lock costs one row-level
 * serialisation of the tail of each write, which is nothing at the rate admins deploy; it is
 * taken last so that a writer holds it only for a few statements. On SQLite every write
 * transaction already holds the database's one write lock ({@code BEGIN IMMEDIATE}).
 *
 * <p>A rolled-back transaction gives its numbers back with the rest of its work, so revisions
 * have no gaps. Pruning keeps the last {@code keptChanges} changes, deleting older ones in the
 * same transaction as a write.
 *
 * <p>Stateless apart from its settings; thread-safe.
 */
public final class ChangeLog {

  /** The channel PostgreSQL notifications are sent on; the payload is {@code schema:revision}. */
  public static final String CHANNEL = "faas4j_changes";

  private static final Logger LOG = LoggerFactory.getLogger(ChangeLog.class);

  private final DataSource dataSource;
  private final Dialect dialect;
  private final int keptChanges;
  private final Clock clock;

  public ChangeLog(DataSource dataSource, Dialect dialect, int keptChanges, Clock clock) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.keptChanges = keptChanges;
    this.clock = clock;
  }

  /** A change to record; it gets its revision from {@link #record}. */
  public record Draft(String function, Change.Kind kind, String version, String alias) {}

  /**
   * What a save changed, as drafts in the order {@link Change.Kind} documents.
   *
   * @param key the function's key
   * @param oldFingerprints stored version to its fingerprint; empty for a new function
   * @param oldLatest the stored latest version; null for a new function
   * @param oldAliases the stored aliases; empty for a new function
   * @param newFingerprints version to fingerprint after the save, in the state's order
   * @param newLatest the latest version after the save
   * @param newAliases the aliases after the save
   * @param reweighted the aliases whose weights changed (an alias that still exists is then recorded
   *     as set even if it points at the same version)
   */
  public static List<Draft> differences(String key, Map<String, String> oldFingerprints, String oldLatest,
      Map<String, String> oldAliases, Map<String, String> newFingerprints, String newLatest,
      Map<String, String> newAliases, Set<String> reweighted) {
    List<Draft> drafts = new ArrayList<>();
    newFingerprints.forEach((version, fingerprint) -> {
      if (!fingerprint.equals(oldFingerprints.get(version))) {
        drafts.add(new Draft(key, Change.Kind.DEPLOYED, version, null));
      }
    });
    if (!newLatest.equals(oldLatest)) {
      drafts.add(new Draft(key, Change.Kind.LATEST_MOVED, newLatest, null));
    }
    new TreeMap<>(newAliases).forEach((alias, version) -> {
      if (!version.equals(oldAliases.get(alias)) || reweighted.contains(alias)) {
        drafts.add(new Draft(key, Change.Kind.ALIAS_SET, version, alias));
      }
    });
    new TreeMap<>(oldAliases).forEach((alias, version) -> {
      if (!newAliases.containsKey(alias)) {
        drafts.add(new Draft(key, Change.Kind.ALIAS_REMOVED, version, alias));
      }
    });
    new TreeMap<>(oldFingerprints).keySet().forEach(version -> {
      if (!newFingerprints.containsKey(version)) {
        drafts.add(new Draft(key, Change.Kind.VERSION_DELETED, version, null));
      }
    });
    return drafts;
  }

  /**
   * Records {@code drafts} in the caller's write transaction and returns the revision of the last
   * one (the current revision if there are none). On PostgreSQL it also queues a notification,
   * which the server delivers when, and only if, the transaction commits.
   */
  public long record(Connection connection, List<Draft> drafts) throws SQLException {
    if (drafts.isEmpty()) {
      return head(connection).revision();
    }
    try (PreparedStatement raise = connection.prepareStatement(
        "UPDATE faas4j_feed SET revision = revision + ? WHERE id = 1")) {
      raise.setInt(1, drafts.size());
      if (raise.executeUpdate() != 1) {
        throw new SQLDataException("the faas4j_feed row is missing (was the table edited by hand?)");
      }
    }
    Head head = head(connection);
    long revision = head.revision() - drafts.size();
    long at = clock.millis();
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO faas4j_changes (revision, fn_key, kind, version, alias, at) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Draft draft : drafts) {
        insert.setLong(1, ++revision);
        insert.setString(2, draft.function());
        insert.setString(3, draft.kind().name());
        insert.setString(4, draft.version());
        insert.setString(5, draft.alias());
        insert.setLong(6, at);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    long pruneThrough = revision - keptChanges;
    if (pruneThrough > head.prunedThrough()) {
      try (PreparedStatement prune = connection.prepareStatement("DELETE FROM faas4j_changes WHERE revision <= ?");
          PreparedStatement mark = connection.prepareStatement("UPDATE faas4j_feed SET pruned_through = ? WHERE id = 1")) {
        prune.setLong(1, pruneThrough);
        prune.executeUpdate();
        mark.setLong(1, pruneThrough);
        mark.executeUpdate();
      }
    }
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement notify = connection.prepareStatement(
          "SELECT pg_notify('" + CHANNEL + "', COALESCE(current_schema(), '') || ':' || ?)")) {
        notify.setString(1, Long.toString(revision));
        notify.execute();
      }
    }
    return revision;
  }

  /** The revision of the last committed change. */
  public long currentRevision() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginRead(connection)) {
      long revision = head(connection).revision();
      transaction.commit();
      return revision;
    }
  }

  /** The answer to {@code FunctionStore.changesSince}, read in one snapshot; arguments checked. */
  public ChangeBatch changesSince(long since, int max) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Dialect.Transaction transaction = dialect.beginRead(connection)) {
      Head head = head(connection);
      if (since > head.revision() || since < head.prunedThrough()) {
        transaction.commit();
        return ChangeBatch.resync(head.revision());
      }
      List<Change> changes = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement("SELECT revision, fn_key, kind, version, alias, at"
          + " FROM faas4j_changes WHERE revision > ? ORDER BY revision LIMIT ?")) {
        select.setLong(1, since);
        select.setInt(2, max);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            Change.Kind kind = kind(rs.getString(3));
            if (kind == null) {
              LOG.warn("change {} of the feed has the kind {}, which this faas4j does not know (written by a newer"
                  + " one?); asking for a full resync instead", rs.getLong(1), rs.getString(3));
              transaction.commit();
              return ChangeBatch.resync(head.revision());
            }
            changes.add(readChange(rs, kind));
          }
        }
      }
      transaction.commit();
      return new ChangeBatch(changes, head.revision(), false);
    }
  }

  /** The feed's head row, read in the caller's transaction. */
  static Head head(Connection connection) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT revision, pruned_through FROM faas4j_feed WHERE id = 1");
        ResultSet rs = select.executeQuery()) {
      if (!rs.next()) {
        throw new SQLDataException("the faas4j_feed row is missing (was the table edited by hand?)");
      }
      return new Head(rs.getLong(1), rs.getLong(2));
    }
  }

  record Head(long revision, long prunedThrough) {}

  private static Change.Kind kind(String name) {
    try {
      return Change.Kind.valueOf(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Change readChange(ResultSet rs, Change.Kind kind) throws SQLException {
    try {
      return new Change(rs.getLong(1), rs.getString(2), kind, rs.getString(4), rs.getString(5),
          Instant.ofEpochMilli(rs.getLong(6)));
    } catch (RuntimeException e) {
      throw new SQLDataException("change " + rs.getLong(1) + " in faas4j_changes is malformed (was the table"
          + " edited by hand?): " + e.getMessage(), e);
    }
  }
}
