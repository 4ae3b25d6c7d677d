package dev.faas4j.store.jdbc;

import static dev.faas4j.store.jdbc.Fixtures.state;
import static dev.faas4j.store.jdbc.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Change;
import dev.faas4j.api.FunctionStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The change feed between two stores on one database (one SQLite file, or one PostgreSQL schema):
 * run against each database.
 */
abstract class SharedFileOrDatabaseFeedContract {

  /** A new store on this test's database; called several times per test. */
  protected abstract JdbcFunctionStore openStore() throws Exception;

  @AfterEach
  void noWatcherThreadIsLeft() throws InterruptedException {
    ListenerCalls.assertNoWatcherThreadIsLeft();
  }

  @Test
  void aSubscriberOfOneStoreIsToldOfASaveThroughAnother() throws Exception {
    try (JdbcFunctionStore a = openStore(); JdbcFunctionStore b = openStore()) {
      ListenerCalls calls = new ListenerCalls();
      try (FunctionStore.Subscription subscription = b.subscribe(calls)) {
        a.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));

        calls.awaitCall("store B after a save on store A");
        assertThat(b.changesSince(0, 10).changes()).extracting(Change::kind)
            .containsExactly(Change.Kind.DEPLOYED, Change.Kind.LATEST_MOVED);
      }
    }
  }

  @Test
  void closingTheStoreStopsItsWatcher() throws Exception {
    JdbcFunctionStore store = openStore();
    store.subscribe(resync -> {});

    store.close();

    ListenerCalls.assertNoWatcherThreadIsLeft();
  }
}
