package dev.faas4j.store.jdbc;

import static dev.faas4j.store.jdbc.Fixtures.state;
import static dev.faas4j.store.jdbc.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Change;
import dev.faas4j.api.ChangeBatch;
import dev.faas4j.api.FunctionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed on SQLite, where several stores (in one JVM or several) may share one file: the
 * feed is the same for all of them, and each store's watcher polls it.
 */
class SqliteChangeFeedTest extends SharedFileOrDatabaseFeedContract {

  @TempDir
  Path dir;

  private Path file() {
    return dir.resolve("faas4j.db");
  }

  @Override
  protected JdbcFunctionStore openStore() throws Exception {
    return JdbcFunctionStore.sqlite(file());
  }

  @Test
  void aSubscriberIsToldOfSavesByAnotherJvmOnTheSameFile() throws Exception {
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      ListenerCalls calls = new ListenerCalls();
      try (FunctionStore.Subscription subscription = store.subscribe(calls)) {
        Path stdout = dir.resolve("child.out");
        Path stderr = dir.resolve("child.err");
        Process child = ChildJvm.start(DurabilityChild.class, stdout, stderr, file().toString(), "3");
        try {
          assertThat(child.waitFor(ListenerCalls.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
              .as("child JVM done").isTrue();
          assertThat(child.exitValue()).as("child exit; stderr: %s", Files.readString(stderr)).isZero();
        } finally {
          child.destroyForcibly();
          child.waitFor(1, TimeUnit.MINUTES);
        }

        calls.awaitCall("after the child JVM saved three revisions");
        ChangeBatch batch = store.changesSince(0, 100);
        assertThat(batch.changes()).as("what the child's saves recorded").isNotEmpty()
            .extracting(Change::function).containsOnly("hello");
        assertThat(batch.changes().get(0).kind()).isEqualTo(Change.Kind.DEPLOYED);
        assertThat(batch.currentRevision()).isEqualTo(store.currentRevision());
      }
    }
  }

  @Test
  void aChangeOfAKindThisVersionDoesNotKnowAsksForAResync() throws Exception {
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(file())) {
      store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));
      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
          Statement statement = connection.createStatement()) {
        statement.execute("UPDATE faas4j_feed SET revision = 3");
        statement.execute("INSERT INTO faas4j_changes (revision, fn_key, kind, at) VALUES (3, 'hello', 'FROM_THE_FUTURE', 0)");
      }

      assertThat(store.changesSince(1, 10).resyncNeeded()).as("a batch reaching the unknown kind").isTrue();
      assertThat(store.changesSince(3, 10).changes()).as("after it").isEmpty();
    }
  }
}
