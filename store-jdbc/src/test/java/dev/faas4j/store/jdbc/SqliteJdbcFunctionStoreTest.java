package dev.faas4j.store.jdbc;

import static dev.faas4j.store.jdbc.Fixtures.state;
import static dev.faas4j.store.jdbc.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.store.jdbc.internal.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store does on an SQLite file beyond the contract: WAL, reopening, migrations. */
class SqliteJdbcFunctionStoreTest {

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("faas4j.db");
  }

  private List<String> query(String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  @Test
  void theFileIsInWalMode() throws Exception {
    JdbcFunctionStore store = JdbcFunctionStore.sqlite(file());
    try {
      assertThat(query("PRAGMA journal_mode")).as("journal mode of the store's file").containsExactly("wal");
    } finally {
      store.close();
    }
  }

  @Test
  void theDatabaseAndItsWalFilesAreReadableByTheirOwnerOnly() throws Exception {
    JdbcFunctionStore store = JdbcFunctionStore.sqlite(dir.resolve("new/faas4j.db"));
    try {
      Path file = dir.resolve("new/faas4j.db");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("mode of " + file)
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
          .as("mode of the directory created for it").isEqualTo("rwx------");
      for (String suffix : List.of("-wal", "-shm")) {
        Path companion = dir.resolve("new/faas4j.db" + suffix);
        assertThat(companion).as("the migrations wrote through the WAL").exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(companion))).as("mode of " + companion)
            .isEqualTo("rw-------");
      }
    } finally {
      store.close();
    }
  }

  @Test
  void anExistingDatabaseReadableByOthersIsNarrowedToItsOwner() throws Exception {
    JdbcFunctionStore.sqlite(file()).close();
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));

    JdbcFunctionStore store = JdbcFunctionStore.sqlite(file());
    try {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    } finally {
      store.close();
    }
  }

  @Test
  void missingParentDirectoriesAreCreated() throws Exception {
    Path nested = dir.resolve("a/b/c/faas4j.db");
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(nested)) {
      store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));
    }
    assertThat(nested).as("database file in created directories").isRegularFile();
  }

  @Test
  void aStoreReopenedOnTheSameFileSeesEverything() throws Exception {
    FunctionState hello = state("Hello", 2, "v2", Map.of("prod", "v1"),
        version("Hello", "v1", "one"), version("Hello", "v2", "two"));
    FunctionState other = state("other", 1, "v1", Map.of(), version("other", "v1", "x"));
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      store.save(state("Hello", 1, "v1", Map.of(), version("Hello", "v1", "one")));
      store.save(hello);
      store.save(other);
    }

    try (JdbcFunctionStore reopened = JdbcFunctionStore.sqlite(file())) {
      assertThat(reopened.loadAll()).as("everything saved before the restart")
          .containsExactlyInAnyOrder(hello, other);
    }
  }

  @Test
  void theSchemaVersionIsRecorded() throws Exception {
    JdbcFunctionStore.sqlite(file()).close();

    assertThat(query("SELECT version FROM faas4j_schema_version ORDER BY version"))
        .as("one row per applied migration")
        .containsExactlyElementsOf(Migrations.NUMBERS.stream().map(String::valueOf).toList());
  }

  @Test
  void migrationsAreNotRepeatedWhenTheStoreRestarts() throws Exception {
    FunctionState saved = state("hello", 1, "v1", Map.of(), version("hello", "v1", "one"));
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      store.save(saved);
    }
    for (int restart = 0; restart < 3; restart++) {
      try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
        assertThat(store.load("hello")).as("data after restart %d", restart).contains(saved);
      }
    }

    assertThat(query("SELECT COUNT(*) FROM faas4j_schema_version"))
        .as("migration rows after four starts").containsExactly(Integer.toString(Migrations.NUMBERS.size()));
  }

  @Test
  void aDatabaseWithANewerSchemaIsRefusedWithAClearMessage() throws Exception {
    JdbcFunctionStore.sqlite(file()).close();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
        Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO faas4j_schema_version (version, description, applied_at)"
          + " VALUES (999, 'from the future', 0)");
    }

    assertThatThrownBy(() -> JdbcFunctionStore.sqlite(file()))
        .as("opening a database migrated by a newer faas4j")
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("version 999")
        .hasMessageContaining("upgrade faas4j");
  }

  @Test
  void twoStoresOnOneFileSeeEachOthersWrites() throws Exception {
    try (JdbcFunctionStore first = JdbcFunctionStore.sqlite(file());
        JdbcFunctionStore second = JdbcFunctionStore.sqlite(file())) {
      FunctionState one = state("hello", 1, "v1", Map.of(), version("hello", "v1", "one"));
      first.save(one);
      FunctionState two = state("hello", 2, "v2", Map.of(), version("hello", "v1", "one"), version("hello", "v2", "2"));

      assertThat(second.load("hello")).as("second store reads the first's write").contains(one);
      assertThat(second.save(two)).as("second store writes the next revision").isTrue();
      assertThat(first.save(state("hello", 2, "v1", Map.of("x", "v1"), version("hello", "v1", "one"))))
          .as("first store's stale write").isFalse();
      assertThat(first.load("hello")).contains(two);
    }
  }

  @Test
  void aSaveWritesOnlyTheVersionsThatAreNewAndDeletesOnlyTheDroppedOnes() throws Exception {
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE version_writes (what TEXT, version TEXT)");
        statement.execute("CREATE TRIGGER log_insert AFTER INSERT ON faas4j_versions"
            + " BEGIN INSERT INTO version_writes VALUES ('insert', NEW.version); END");
        statement.execute("CREATE TRIGGER log_delete AFTER DELETE ON faas4j_versions"
            + " BEGIN INSERT INTO version_writes VALUES ('delete', OLD.version); END");
        statement.execute("CREATE TRIGGER log_update AFTER UPDATE OF code ON faas4j_versions"
            + " BEGIN INSERT INTO version_writes VALUES ('update', OLD.version); END");
      }
      FunctionVersion v1 = version("hello", "v1", "one");
      FunctionVersion v2 = version("hello", "v2", "two");
      FunctionVersion v3 = version("hello", "v3", "three");
      store.save(state("hello", 1, "v1", Map.of(), v1, v2));
      store.save(state("hello", 2, "v3", Map.of("prod", "v2"), v2, v3));
    }

    assertThat(query("SELECT what || ' ' || version FROM version_writes ORDER BY rowid"))
        .as("version rows written by two saves: v2 is kept untouched by the second")
        .containsExactly("insert v1", "insert v2", "delete v1", "insert v3");
  }

  @Test
  void theOrderOfVersionsIsKeptWhenItChanges() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    FunctionVersion v2 = version("hello", "v2", "two");
    FunctionVersion v3 = version("hello", "v3", "three");
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      store.save(state("hello", 1, "v1", Map.of(), v1, v2));
      store.save(state("hello", 2, "v1", Map.of(), v3, v2, v1));

      assertThat(store.load("hello").orElseThrow().versions()).as("versions in the order last saved")
          .containsExactly(v3, v2, v1);
    }
  }

  @Test
  void aVersionSavedWithAnotherDefinitionUnderTheSameNameIsStoredAsGiven() throws Exception {
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      store.save(state("hello", 1, "v1", Map.of("a", "v1"), version("hello", "v1", "old code")));
      FunctionState replaced = state("hello", 2, "v1", Map.of("a", "v1"), version("hello", "v1", "new code"));
      store.save(replaced);

      assertThat(store.load("hello")).as("the state given to the last save").contains(replaced);
    }
  }

  @Test
  void creationTimesKeepNanosecondPrecision() throws Exception {
    Instant precise = Instant.parse("2026-05-06T07:08:09.123456789Z");
    FunctionVersion v1 = new FunctionVersion(FunctionSpec.builder("hello").version("v1").code("x").build(), precise);
    FunctionVersion old = new FunctionVersion(FunctionSpec.builder("hello").version("v0").code("x").build(),
        Instant.parse("1960-01-01T00:00:00.000000001Z"));
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      store.save(state("hello", 1, "v1", Map.of(), old, v1));

      assertThat(store.load("hello").orElseThrow().versions()).extracting(FunctionVersion::createdAt)
          .as("creation times, one before 1970").containsExactly(old.createdAt(), precise);
    }
  }

  @Test
  void aClosedStoreRefusesCallsAndClosingTwiceIsHarmless() throws Exception {
    JdbcFunctionStore store = JdbcFunctionStore.sqlite(file());
    store.close();
    store.close();

    assertThatThrownBy(() -> store.load("hello")).as("load after close")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(Files.exists(file())).as("the file stays").isTrue();
  }
}
