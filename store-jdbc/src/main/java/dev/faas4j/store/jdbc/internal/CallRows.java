package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.AsyncCall;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SQL of {@link dev.faas4j.api.CallQueue} on table {@code faas4j_calls}. On PostgreSQL a claim
 * selects its rows {@code FOR UPDATE SKIP LOCKED}, so nodes claiming at once take different calls
 * without waiting for each other; on SQLite writes are serialised anyway (one node). Thread-safe.
 */
public final class CallRows {

  private static final String COLUMNS = "id, function, selector, method, path, headers, body, callback_url, state,"
      + " attempts, not_before, created, updated, status, response_headers, response_body, detail, ran_on";
  private static final String PENDING = "state IN ('queued', 'delivering')";

  private final Dialect dialect;

  public CallRows(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Inserts a call if fewer than {@code maxPending} are pending; returns whether it did. */
  public boolean enqueue(Connection connection, AsyncCall call, int maxPending) throws SQLException {
    if (pending(connection) >= maxPending) {
      return false;
    }
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO faas4j_calls (" + COLUMNS
        + ", claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)")) {
      int i = 0;
      insert.setString(++i, call.id());
      insert.setString(++i, call.function());
      insert.setString(++i, call.selector());
      insert.setString(++i, call.method());
      insert.setString(++i, call.pathAndQuery());
      insert.setString(++i, call.headers());
      insert.setBytes(++i, call.body());
      insert.setString(++i, call.callbackUrl());
      setOutcome(insert, i, call);
      insert.executeUpdate();
    }
    return true;
  }

  /** The number of pending calls. */
  public int pending(Connection connection) throws SQLException {
    try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM faas4j_calls WHERE " + PENDING);
        ResultSet rs = count.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Claims up to {@code max} due calls for {@code node}; see {@link dev.faas4j.api.CallQueue#claim}. */
  public List<AsyncCall> claim(Connection connection, String node, int max, Instant now, Duration lease)
      throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT id FROM faas4j_calls WHERE " + PENDING
        + " AND not_before <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY not_before LIMIT ?"
        + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : ""))) {
      select.setLong(1, now.toEpochMilli());
      select.setLong(2, now.toEpochMilli());
      select.setInt(3, max);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    List<AsyncCall> claimed = new ArrayList<>();
    for (String id : ids) {
      try (PreparedStatement update = connection.prepareStatement(
          "UPDATE faas4j_calls SET claimed_by = ?, claimed_until = ? WHERE id = ?")) {
        update.setString(1, node);
        update.setLong(2, now.plus(lease).toEpochMilli());
        update.setString(3, id);
        update.executeUpdate();
      }
      find(connection, id).ifPresent(claimed::add);
    }
    return claimed;
  }

  /** Writes a claimed call's new state and releases the claim, if {@code node} still holds it. */
  public boolean update(Connection connection, AsyncCall call, String node) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE faas4j_calls SET state = ?, attempts = ?,"
        + " not_before = ?, created = ?, updated = ?, status = ?, response_headers = ?, response_body = ?, detail = ?,"
        + " ran_on = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?")) {
      int i = setOutcome(update, 0, call);
      update.setString(++i, call.id());
      update.setString(++i, node);
      return update.executeUpdate() > 0;
    }
  }

  /** Releases every claim of {@code node}. */
  public int release(Connection connection, String node) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE faas4j_calls SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?")) {
      update.setString(1, node);
      return update.executeUpdate();
    }
  }

  /** Sets the columns from state to ran_on, from parameter {@code i + 1} on; returns the last index set. */
  private static int setOutcome(PreparedStatement statement, int i, AsyncCall call) throws SQLException {
    statement.setString(++i, call.state().name().toLowerCase(Locale.ROOT));
    statement.setInt(++i, call.attempts());
    statement.setLong(++i, call.notBefore().toEpochMilli());
    statement.setLong(++i, call.created().toEpochMilli());
    statement.setLong(++i, call.updated().toEpochMilli());
    statement.setInt(++i, call.status());
    statement.setString(++i, call.responseHeaders());
    statement.setBytes(++i, call.responseBody());
    statement.setString(++i, call.detail());
    statement.setString(++i, call.node());
    return i;
  }

  /** The call with this id, if kept. */
  public Optional<AsyncCall> find(Connection connection, String id) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT " + COLUMNS + " FROM faas4j_calls WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /** Deletes finished calls updated before {@code before}. */
  public int prune(Connection connection, Instant before) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM faas4j_calls WHERE state IN ('succeeded', 'failed') AND updated < ?")) {
      delete.setLong(1, before.toEpochMilli());
      return delete.executeUpdate();
    }
  }

  private static AsyncCall read(ResultSet rs) throws SQLException {
    int i = 0;
    return new AsyncCall(rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i),
        rs.getString(++i), rs.getString(++i), rs.getBytes(++i), rs.getString(++i),
        AsyncCall.State.valueOf(rs.getString(++i).toUpperCase(Locale.ROOT)), rs.getInt(++i),
        Instant.ofEpochMilli(rs.getLong(++i)), Instant.ofEpochMilli(rs.getLong(++i)),
        Instant.ofEpochMilli(rs.getLong(++i)), rs.getInt(++i), rs.getString(++i), rs.getBytes(++i),
        rs.getString(++i), rs.getString(++i));
  }
}
