package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.Change;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.TrafficSplit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of a save and a delete, each run inside a write transaction the store opened: a
 * compare-and-set on the function's revision, only the version rows that changed, and the feed's
 * record of what changed ({@link ChangeLog}) in the same transaction.
 *
 * <p>Stateless apart from its settings; thread-safe.
 */
public final class FunctionWrites {

  private final Dialect dialect;
  private final ChangeLog changeLog;

  public FunctionWrites(Dialect dialect, ChangeLog changeLog) {
    this.dialect = dialect;
    this.changeLog = changeLog;
  }

  /**
   * Saves {@code state} in the caller's write transaction if the stored revision is the one before
   * it, recording what changed in the feed.
   *
   * @return whether it was saved; {@code false} leaves the transaction to be rolled back
   */
  public boolean save(Connection connection, FunctionState state, List<VersionRow> rows) throws SQLException {
    String key = state.key();
    Map<String, StoredVersion> stored = new HashMap<>();
    String oldLatest = null;
    Map<String, String> oldAliases = new HashMap<>();
    Map<String, TrafficSplit> oldSplits = Map.of();
    if (state.revision() == 1) {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO faas4j_functions"
          + " (fn_key, name, revision, latest) VALUES (?, ?, 1, ?) ON CONFLICT (fn_key) DO NOTHING")) {
        insert.setString(1, key);
        insert.setString(2, state.name());
        insert.setString(3, state.latest());
        if (insert.executeUpdate() == 0) {
          return false;
        }
      }
      // Rows a delete without enforced foreign keys could have left behind.
      deleteChildren(connection, key);
    } else {
      // Locks the row (PostgreSQL; SQLite's write lock is held already) so that what the feed
      // records is the difference from the revision this save replaces.
      try (PreparedStatement select = connection.prepareStatement("SELECT latest FROM faas4j_functions"
          + " WHERE fn_key = ? AND revision = ?" + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : ""))) {
        select.setString(1, key);
        select.setLong(2, state.revision() - 1);
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
          oldLatest = rs.getString(1);
        }
      }
      try (PreparedStatement update = connection.prepareStatement("UPDATE faas4j_functions"
          + " SET name = ?, revision = ?, latest = ? WHERE fn_key = ? AND revision = ?")) {
        update.setString(1, state.name());
        update.setLong(2, state.revision());
        update.setString(3, state.latest());
        update.setString(4, key);
        update.setLong(5, state.revision() - 1);
        if (update.executeUpdate() == 0) {
          return false;
        }
      }
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT version, position, fingerprint FROM faas4j_versions WHERE fn_key = ?")) {
        select.setString(1, key);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            stored.put(rs.getString(1), new StoredVersion(rs.getInt(2), rs.getString(3)));
          }
        }
      }
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT alias, version FROM faas4j_aliases WHERE fn_key = ?")) {
        select.setString(1, key);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            oldAliases.put(rs.getString(1), rs.getString(2));
          }
        }
      }
      oldSplits = AliasWeightRows.read(connection, key);
      AliasWeightRows.clear(connection, key);
      try (PreparedStatement clear = connection.prepareStatement("DELETE FROM faas4j_aliases WHERE fn_key = ?")) {
        clear.setString(1, key);
        clear.executeUpdate();
      }
    }

    List<String> removed = new ArrayList<>();
    List<Integer> added = new ArrayList<>();
    List<Integer> moved = new ArrayList<>();
    Map<String, VersionRow> wanted = new HashMap<>();
    for (int position = 0; position < rows.size(); position++) {
      VersionRow row = rows.get(position);
      wanted.put(row.version(), row);
      StoredVersion old = stored.get(row.version());
      if (old == null) {
        added.add(position);
      } else if (!old.fingerprint.equals(row.fingerprint())) {
        // Not expected (versions are immutable), but the state given is the truth: replace it.
        removed.add(row.version());
        added.add(position);
      } else if (old.position != position) {
        moved.add(position);
      }
    }
    for (String version : stored.keySet()) {
      if (!wanted.containsKey(version)) {
        removed.add(version);
      }
    }

    if (!removed.isEmpty()) {
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM faas4j_versions WHERE fn_key = ? AND version = ?")) {
        for (String version : removed) {
          delete.setString(1, key);
          delete.setString(2, version);
          delete.addBatch();
        }
        delete.executeBatch();
      }
    }
    if (!added.isEmpty()) {
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO faas4j_versions ("
          + VersionRow.COLUMNS + ", position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (int position : added) {
          VersionRow row = rows.get(position);
          int i = 0;
          insert.setString(++i, key);
          insert.setString(++i, row.version());
          insert.setString(++i, row.specName());
          insert.setString(++i, row.runtime());
          insert.setString(++i, row.code());
          insert.setString(++i, row.image());
          insert.setString(++i, row.env());
          insert.setString(++i, row.labels());
          insert.setString(++i, row.options());
          insert.setString(++i, row.limits());
          insert.setString(++i, row.network());
          insert.setLong(++i, row.createdAtMillis());
          insert.setInt(++i, row.createdNanos());
          insert.setString(++i, row.fingerprint());
          insert.setInt(++i, position);
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
    if (!moved.isEmpty()) {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE faas4j_versions SET position = ? WHERE fn_key = ? AND version = ?")) {
        for (int position : moved) {
          update.setInt(1, position);
          update.setString(2, key);
          update.setString(3, rows.get(position).version());
          update.addBatch();
        }
        update.executeBatch();
      }
    }
    if (!state.aliases().isEmpty()) {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO faas4j_aliases (fn_key, alias, version) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, String> alias : state.aliases().entrySet()) {
          insert.setString(1, key);
          insert.setString(2, alias.getKey());
          insert.setString(3, alias.getValue());
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
    AliasWeightRows.insert(connection, key, state.splits());
    Map<String, String> oldFingerprints = new HashMap<>();
    stored.forEach((version, old) -> oldFingerprints.put(version, old.fingerprint));
    Map<String, String> newFingerprints = new LinkedHashMap<>();
    rows.forEach(row -> newFingerprints.put(row.version(), row.fingerprint()));
    changeLog.record(connection, ChangeLog.differences(key, oldFingerprints, oldLatest, oldAliases,
        newFingerprints, state.latest(), state.aliases(), AliasWeightRows.changed(oldSplits, state.splits())));
    return true;
  }

  private static void deleteChildren(Connection connection, String key) throws SQLException {
    for (String table : List.of("faas4j_alias_weights", "faas4j_aliases", "faas4j_versions")) {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE fn_key = ?")) {
        delete.setString(1, key);
        delete.executeUpdate();
      }
    }
  }

  /**
   * Deletes the function {@code key} in the caller's write transaction if its stored revision is
   * {@code revision}, recording the deletion in the feed.
   *
   * @return whether it was deleted
   */
  public boolean delete(Connection connection, String key, long revision) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "DELETE FROM faas4j_functions WHERE fn_key = ? AND revision = ?")) {
      statement.setString(1, key);
      statement.setLong(2, revision);
      if (statement.executeUpdate() == 0) {
        return false;
      }
    }
    // ON DELETE CASCADE has done this where foreign keys are enforced; a caller's SQLite
    // connection may not enforce them.
    deleteChildren(connection, key);
    changeLog.record(connection, List.of(new ChangeLog.Draft(key, Change.Kind.FUNCTION_DELETED, null, null)));
    return true;
  }

  private record StoredVersion(int position, String fingerprint) {}
}
