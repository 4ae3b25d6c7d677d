package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.TrafficSplit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SQL of weighted aliases: table {@code faas4j_alias_weights}, one row per version an alias
 * splits its traffic over. A save rewrites a function's rows (they are few), in the save's
 * transaction; reads assemble them into {@link TrafficSplit}s.
 *
 * <p>Stateless; thread-safe.
 */
public final class AliasWeightRows {

  private AliasWeightRows() {}

  /** The splits of function {@code key}, by alias. */
  public static Map<String, TrafficSplit> read(Connection connection, String key) throws SQLException {
    Map<String, Map<String, Integer>> weights = new LinkedHashMap<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT alias, version, weight FROM faas4j_alias_weights WHERE fn_key = ?")) {
      select.setString(1, key);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          weights.computeIfAbsent(rs.getString(1), a -> new LinkedHashMap<>()).put(rs.getString(2), rs.getInt(3));
        }
      }
    }
    return splits(key, weights);
  }

  /** The splits of every function: function key to alias to split. */
  public static Map<String, Map<String, TrafficSplit>> readAll(Connection connection) throws SQLException {
    Map<String, Map<String, Map<String, Integer>>> weights = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT fn_key, alias, version, weight FROM faas4j_alias_weights")) {
      while (rs.next()) {
        weights.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
            .computeIfAbsent(rs.getString(2), a -> new LinkedHashMap<>()).put(rs.getString(3), rs.getInt(4));
      }
    }
    Map<String, Map<String, TrafficSplit>> all = new HashMap<>();
    for (Map.Entry<String, Map<String, Map<String, Integer>>> function : weights.entrySet()) {
      all.put(function.getKey(), splits(function.getKey(), function.getValue()));
    }
    return all;
  }

  /** Deletes the rows of function {@code key}; a save calls it before it rewrites the aliases. */
  public static void clear(Connection connection, String key) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM faas4j_alias_weights WHERE fn_key = ?")) {
      delete.setString(1, key);
      delete.executeUpdate();
    }
  }

  /** Writes the rows of {@code splits}, after the aliases they belong to were written. */
  public static void insert(Connection connection, String key, Map<String, TrafficSplit> splits) throws SQLException {
    if (splits.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO faas4j_alias_weights (fn_key, alias, version, weight) VALUES (?, ?, ?, ?)")) {
      for (Map.Entry<String, TrafficSplit> split : splits.entrySet()) {
        for (Map.Entry<String, Integer> weight : split.getValue().weights().entrySet()) {
          insert.setString(1, key);
          insert.setString(2, split.getKey());
          insert.setString(3, weight.getKey());
          insert.setInt(4, weight.getValue());
          insert.addBatch();
        }
      }
      insert.executeBatch();
    }
  }

  /** The aliases whose weights differ between two saves of a function (added, changed or removed). */
  public static Set<String> changed(Map<String, TrafficSplit> before, Map<String, TrafficSplit> after) {
    Set<String> changed = new TreeSet<>();
    for (String alias : before.keySet()) {
      if (!Objects.equals(before.get(alias), after.get(alias))) {
        changed.add(alias);
      }
    }
    for (String alias : after.keySet()) {
      if (!before.containsKey(alias)) {
        changed.add(alias);
      }
    }
    return changed;
  }

  private static Map<String, TrafficSplit> splits(String key, Map<String, Map<String, Integer>> weights)
      throws SQLDataException {
    Map<String, TrafficSplit> splits = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Integer>> alias : weights.entrySet()) {
      try {
        splits.put(alias.getKey(), new TrafficSplit(alias.getValue()));
      } catch (RuntimeException e) {
        throw new SQLDataException("the stored weights of alias " + alias.getKey() + " of " + key
            + " are invalid (was faas4j_alias_weights edited by hand?): " + e.getMessage(), e);
      }
    }
    return splits;
  }
}
