package dev.faas4j.store.jdbc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the store's tables.
 *
 * <p>Why not Flyway or Liquibase: this is an embedded library that ends up inside other people's
 * applications, which may already use one of them, in another version, on another schema. A
 * migration tool would add megabytes and a version conflict to every user for what is here a
 * dozen lines: a {@code faas4j_schema_version} table with one row per applied migration, and
 * numbered SQL files applied in order, all inside one transaction that excludes other migrators
 * (see {@link Dialect#beginMigration}).
 *
 * <p>Migration files are resources named {@code migrations/NNN-description.sql} next to this
 * class and listed in {@link #MIGRATIONS}; their number is {@code NNN}. Numbers may leave gaps
 * (branches developed side by side take numbers ahead): every listed migration that the table does
 * not record is applied, in number order, so a migration merged later with a lower number than one
 * already applied still runs. Statements are separated by a {@code ;} at the end of a
 * line, and lines starting with {@code --} are comments. A migration is never edited once
 * released: a change is a new file.
 *
 * <p>Stateless and thread-safe.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** Every migration, in number order; a file's number is its name's prefix. One per line, for merges. */
  static final List<String> MIGRATIONS = List.of(
      "001-initial-schema.sql",
      "002-change-feed.sql",
      "003-nodes.sql",
      "004-alias-weights.sql",
      "005-secrets.sql",
      "006-calls.sql",
      "007-call-node.sql");

  /** The numbers of {@link #MIGRATIONS}, in order. */
  public static final List<Integer> NUMBERS = MIGRATIONS.stream().map(Migrations::number).toList();

  /** The schema version this code writes and reads: the highest migration number it knows. */
  public static final int LATEST = NUMBERS.get(NUMBERS.size() - 1);

  /** The table that records applied migrations. */
  public static final String VERSION_TABLE = "faas4j_schema_version";

  private Migrations() {}

  /**
   * Brings the schema behind {@code connection} up to {@link #LATEST}, applying only what is
   * missing. Safe to call from several processes at once: one migrates, the others wait and then
   * find nothing to do.
   *
   * @return the migrations applied by this call (empty if the schema was current)
   * @throws SQLException if the database fails, or if its schema is newer than this code knows
   */
  public static List<Integer> migrate(Connection connection, Dialect dialect) throws SQLException {
    List<Integer> applied = new ArrayList<>();
    try (Dialect.Transaction transaction = dialect.beginMigration(connection)) {
      try {
        try (Statement statement = connection.createStatement()) {
          statement.execute("CREATE TABLE IF NOT EXISTS " + VERSION_TABLE + " ("
              + "version INTEGER NOT NULL PRIMARY KEY, "
              + "description VARCHAR(200) NOT NULL, "
              + "applied_at BIGINT NOT NULL)");
        }
        int current = currentVersion(connection);
        java.util.Set<Integer> done = appliedVersions(connection);
        if (current > LATEST) {
          throw new SQLException("the faas4j schema in this database is at version " + current
              + ", newer than this faas4j knows (" + LATEST + "): a newer faas4j has used this database;"
              + " upgrade faas4j, or point it at another database");
        }
        for (int i = 0; i < MIGRATIONS.size(); i++) {
          int number = NUMBERS.get(i);
          if (done.contains(number)) {
            continue;
          }
          String file = MIGRATIONS.get(i);
          try (Statement statement = connection.createStatement()) {
            for (String sql : statements(read(file))) {
              statement.execute(sql);
            }
          }
          try (PreparedStatement record = connection.prepareStatement(
              "INSERT INTO " + VERSION_TABLE + " (version, description, applied_at) VALUES (?, ?, ?)")) {
            record.setInt(1, number);
            record.setString(2, file);
            record.setLong(3, System.currentTimeMillis());
            record.executeUpdate();
          }
          applied.add(number);
        }
        transaction.commit();
      } catch (SQLException | RuntimeException e) {
        transaction.rollbackQuietly(e);
        throw e;
      }
    }
    if (!applied.isEmpty()) {
      LOG.info("faas4j store schema migrated to version {} (applied {})", LATEST, applied);
    }
    return applied;
  }

  /** The highest applied migration, 0 for none. */
  public static int currentVersion(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT MAX(version) FROM " + VERSION_TABLE)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static java.util.Set<Integer> appliedVersions(Connection connection) throws SQLException {
    java.util.Set<Integer> versions = new java.util.HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT version FROM " + VERSION_TABLE)) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  private static int number(String file) {
    return Integer.parseInt(file.substring(0, file.indexOf('-')));
  }

  private static String read(String file) {
    String resource = "migrations/" + file;
    try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration " + resource + " is missing from the faas4j store-jdbc jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration " + resource, e);
    }
  }

  /** Splits a migration into statements: comment lines dropped, {@code ;} at a line end separates. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.endsWith(";")) {
        current.append(trimmed, 0, trimmed.length() - 1);
        statements.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(trimmed).append('\n');
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().strip());
    }
    return statements;
  }
}
