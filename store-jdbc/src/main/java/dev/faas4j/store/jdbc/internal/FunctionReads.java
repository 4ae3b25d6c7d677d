package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.TrafficSplit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads functions back from their four tables (functions, versions, aliases, alias weights):
 * every function in four queries, or one by key. The caller holds a read transaction, so what is
 * read is one snapshot.
 */
public final class FunctionReads {

  private FunctionReads() {
  }

  /** Every stored function, in four queries whatever their number. */
  public static List<FunctionState> all(Connection connection) throws SQLException {
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
    List<FunctionState> states = new ArrayList<>(heads.size());
    for (FunctionHead head : heads.values()) {
      states.add(head.toState());
    }
    return states;
  }

  /** The function stored under {@code key} (its canonical name), if any. */
  public static Optional<FunctionState> one(Connection connection, String key) throws SQLException {
    FunctionHead head;
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT name, revision, latest FROM faas4j_functions WHERE fn_key = ?")) {
      statement.setString(1, key);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
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
    return Optional.of(head.toState());
  }

  /** Reads a row selected with {@link VersionRow#COLUMNS}. */
  private static FunctionVersion readVersion(ResultSet rs) throws SQLException {
    int i = 1; // column 1 is fn_key
    return new VersionRow(rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i),
        rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i), rs.getString(++i),
        rs.getString(++i), rs.getLong(++i), rs.getInt(++i), rs.getString(++i)).toVersion();
  }

  /** A function row being assembled from its tables. */
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
}
