package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.NodeInfo;
import dev.faas4j.api.NodeRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of {@link NodeRegistry} on table {@code faas4j_nodes}: one row per node, rewritten at
 * each heartbeat with the database's time, so that the nodes' clocks do not matter. Rows of nodes
 * silent for a day are deleted at each heartbeat, so nodes killed without a goodbye do not pile up.
 *
 * <p>Stateless apart from the dialect; thread-safe.
 */
public final class NodeRows {

  private static final long FORGET_AFTER_MILLIS = Duration.ofDays(1).toMillis();

  private final Dialect dialect;

  public NodeRows(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Upserts the node's row with the database's time as its last heartbeat. */
  public void heartbeat(Connection connection, NodeInfo node) throws SQLException {
    String now = dialect.nowMillis();
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO faas4j_nodes (node_id, host, started, last_seen, running) VALUES (?, ?, ?, " + now + ", ?)"
            + " ON CONFLICT (node_id) DO UPDATE SET host = excluded.host, started = excluded.started,"
            + " last_seen = excluded.last_seen, running = excluded.running")) {
      upsert.setString(1, node.id());
      upsert.setString(2, node.host());
      upsert.setLong(3, node.started().toEpochMilli());
      upsert.setString(4, NodeRegistry.encodeRunning(node.running()));
      upsert.executeUpdate();
    }
    try (PreparedStatement prune = connection.prepareStatement(
        "DELETE FROM faas4j_nodes WHERE last_seen < " + now + " - ?")) {
      prune.setLong(1, FORGET_AFTER_MILLIS);
      prune.executeUpdate();
    }
  }

  /** The nodes heard from within {@code expiry} of the database's time, by id. */
  public List<NodeInfo> live(Connection connection, Duration expiry) throws SQLException {
    List<NodeInfo> nodes = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT node_id, host, started, last_seen, running FROM faas4j_nodes WHERE last_seen >= "
            + dialect.nowMillis() + " - ? ORDER BY node_id")) {
      select.setLong(1, expiry.toMillis());
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          nodes.add(new NodeInfo(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
              Instant.ofEpochMilli(rs.getLong(4)), NodeRegistry.decodeRunning(rs.getString(5))));
        }
      }
    }
    return nodes;
  }

  /** Deletes the node's row, if any. */
  public void remove(Connection connection, String id) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM faas4j_nodes WHERE node_id = ?")) {
      delete.setString(1, id);
      delete.executeUpdate();
    }
  }
}
