package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.testing.InMemoryProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret set through faas-core on a real SQLite file reaches the function, and is nowhere in the
 * database file in clear text: not in any file of the database, not in any row.
 */
class SecretsAtRestTest {

  private static final String SECRET = "Zebra-Secret-91857";
  private static final String PLAIN = "Plain-Setting-44120";

  @TempDir
  Path dir;

  @Test
  void theDatabaseHoldsTheSecretSealedOnly() throws Exception {
    Path file = dir.resolve("faas4j.db");
    InMemoryProvider provider = new InMemoryProvider(
        spec -> request -> FunctionResponse.ok(spec.env().get("TOKEN") + "/" + spec.env().get("MODE")), "js");
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    try (Faas faas = Faas.builder().provider(provider).store(JdbcFunctionStore.sqlite(file)).secretKey(key)
        .maintenanceInterval(Duration.ZERO).build()) {
      faas.setSecret("hello", "TOKEN", SECRET);
      faas.deploy(FunctionSpec.builder("hello").version("v1").runtime("js").code("c").env("MODE", PLAIN).build(), null);
      assertThat(faas.invoke("hello", null, FunctionRequest.get("/")).bodyAsString()).isEqualTo(SECRET + "/" + PLAIN);

      List<Path> files;
      try (Stream<Path> all = Files.list(dir)) {
        files = all.filter(p -> p.getFileName().toString().startsWith("faas4j.db")).toList();
      }
      StringBuilder raw = new StringBuilder();
      for (Path f : files) {
        raw.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
      }
      assertThat(raw).as("the env var of the spec is found in the files (so the search works)").contains(PLAIN);
      assertThat(raw).as("the secret is in no file of the database: " + files).doesNotContain(SECRET);
      assertThat(everyRow(file)).as("rows").anyMatch(row -> row.contains("TOKEN") && row.contains("v1:"))
          .noneMatch(row -> row.contains(SECRET));
    }
  }

  /** Every row of every table, as text. */
  private static List<String> everyRow(Path file) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rs = statement.executeQuery("SELECT * FROM " + table)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder row = new StringBuilder(table);
            for (int i = 1; i <= columns; i++) {
              row.append('|').append(rs.getString(i));
            }
            rows.add(row.toString());
          }
        }
      }
    }
    return rows;
  }
}
