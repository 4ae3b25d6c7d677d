package dev.faas4j.store.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL of {@link dev.faas4j.api.SecretStore} on table {@code faas4j_secrets}: one row per
 * secret, holding the value as faas-core sealed it. Stateless; thread-safe.
 */
public final class SecretRows {

  private SecretRows() {}

  /** Inserts or replaces one secret. */
  public static void put(Connection connection, String function, String name, String sealed, long nowMillis)
      throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO faas4j_secrets (function, name, sealed, updated) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (function, name) DO UPDATE SET sealed = excluded.sealed, updated = excluded.updated")) {
      upsert.setString(1, function);
      upsert.setString(2, name);
      upsert.setString(3, sealed);
      upsert.setLong(4, nowMillis);
      upsert.executeUpdate();
    }
  }

  /** Deletes one secret; returns whether it existed. */
  public static boolean delete(Connection connection, String function, String name) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM faas4j_secrets WHERE function = ? AND name = ?")) {
      delete.setString(1, function);
      delete.setString(2, name);
      return delete.executeUpdate() > 0;
    }
  }

  /** Every sealed secret of a function, by name. */
  public static Map<String, String> all(Connection connection, String function) throws SQLException {
    Map<String, String> secrets = new TreeMap<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT name, sealed FROM faas4j_secrets WHERE function = ?")) {
      select.setString(1, function);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          secrets.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return secrets;
  }
}
