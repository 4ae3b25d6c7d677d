package dev.faas4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import dev.faas4j.api.Change.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The change feed every {@link FunctionStore} must keep, and the set-up shared with
 * {@link FunctionStoreContract} (which extends this class: extend that one).
 */
public abstract class ChangeFeedContract {

  /** A new store with no functions in it. Closed by the suite after each test. */
  protected abstract FunctionStore newStore() throws Exception;

  /** A new, empty store whose feed keeps only the last {@code keep} changes. Closed by the test. */
  protected abstract FunctionStore newStoreKeepingChanges(int keep) throws Exception;

  protected FunctionStore store;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  protected static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

  /** How long a test waits for something that should happen within about a second. */
  protected static final Duration PATIENCE = Duration.ofSeconds(30);

  protected static FunctionVersion version(String name, String version, String code) {
    return new FunctionVersion(FunctionSpec.builder(name).version(version).code(code).build(),
        T0.plus(Duration.ofMinutes(version.hashCode() & 0xff)).truncatedTo(ChronoUnit.MILLIS));
  }

  protected static FunctionState state(String name, long revision, String latest, Map<String, String> aliases,
      FunctionVersion... versions) {
    return new FunctionState(name, revision, List.of(versions), aliases, latest);
  }

  @Test
  void aNewStoreIsAtRevisionZeroWithAnEmptyFeed() throws Exception {
    assertThat(store.currentRevision()).isZero();
    ChangeBatch batch = store.changesSince(0, 100);
    assertThat(batch.changes()).isEmpty();
    assertThat(batch.resyncNeeded()).as("nothing is missing from an empty feed").isFalse();
    assertThat(batch.currentRevision()).isZero();
  }

  @Test
  void everyKindOfChangeIsRecordedOnceInOrderWithConsecutiveRevisions() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    FunctionVersion v1 = version("Hello", "v1", "one");
    FunctionVersion v2 = version("Hello", "v2", "two");
    store.save(state("Hello", 1, "v1", Map.of(), v1));
    store.save(state("Hello", 2, "v2", Map.of(), v1, v2));
    store.save(state("Hello", 3, "v2", Map.of("prod", "v1", "beta", "v2"), v1, v2));
    store.save(state("Hello", 4, "v2", Map.of("prod", "v2"), v1, v2));
    store.save(state("Hello", 5, "v2", Map.of("prod", "v2"), v2));
    long stopped = store.announce("HELLO", Kind.VERSION_STOPPED, "V2");
    store.delete("hello", 5);

    ChangeBatch batch = store.changesSince(0, 100);

    assertThat(batch.changes()).extracting(Change::kind, Change::version, Change::alias).as("kind, version, alias")
        .containsExactly(
            tuple(Kind.DEPLOYED, "v1", null), tuple(Kind.LATEST_MOVED, "v1", null),
            tuple(Kind.DEPLOYED, "v2", null), tuple(Kind.LATEST_MOVED, "v2", null),
            tuple(Kind.ALIAS_SET, "v2", "beta"), tuple(Kind.ALIAS_SET, "v1", "prod"),
            tuple(Kind.ALIAS_SET, "v2", "prod"), tuple(Kind.ALIAS_REMOVED, "v2", "beta"),
            tuple(Kind.VERSION_DELETED, "v1", null),
            tuple(Kind.VERSION_STOPPED, "v2", null),
            tuple(Kind.FUNCTION_DELETED, null, null));
    assertThat(batch.changes()).extracting(Change::revision).as("revisions")
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    assertThat(stopped).as("revision announce returned").isEqualTo(10);
    assertThat(batch.changes()).extracting(Change::function).as("function keys").containsOnly("hello");
    assertThat(batch.changes()).extracting(Change::at).as("recorded at, by this machine's clock")
        .allSatisfy(at -> assertThat(at).isBetween(before, Instant.now().plusSeconds(1)));
    assertThat(batch.currentRevision()).isEqualTo(11);
    assertThat(store.currentRevision()).isEqualTo(11);
    assertThat(batch.resyncNeeded()).isFalse();
    assertThat(batch.hasMore()).isFalse();
  }

  @Test
  void aSaveThatChangesNothingServedRecordsNothing() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    store.save(state("hello", 1, "v1", Map.of("prod", "v1"), v1));
    long before = store.currentRevision();

    assertThat(store.save(state("hello", 2, "v1", Map.of("prod", "v1"), v1))).isTrue();

    assertThat(store.currentRevision()).as("revision after a save of the same content").isEqualTo(before);
  }

  @Test
  void changedWeightsAreRecordedAsTheAliasSetAtItsPrimaryVersion() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    FunctionVersion v2 = version("hello", "v2", "two");
    store.save(state("hello", 1, "v2", Map.of("prod", "v1"), v1, v2));
    long before = store.currentRevision();

    store.save(new FunctionState("hello", 2, List.of(v1, v2), Map.of("prod", "v1"), "v2",
        Map.of("prod", TrafficSplit.of("v1", 90, "v2", 10))));
    store.save(new FunctionState("hello", 3, List.of(v1, v2), Map.of("prod", "v1"), "v2",
        Map.of("prod", TrafficSplit.of("v1", 50, "v2", 10))));
    store.save(new FunctionState("hello", 4, List.of(v1, v2), Map.of("prod", "v1"), "v2",
        Map.of("prod", TrafficSplit.of("v1", 50, "v2", 10))));
    store.save(new FunctionState("hello", 5, List.of(v1, v2), Map.of("prod", "v1"), "v2", Map.of()));

    assertThat(store.changesSince(before, 100).changes()).extracting(Change::kind, Change::version, Change::alias)
        .as("weights added, changed, saved unchanged (nothing), removed; the alias pointing at v1 throughout")
        .containsExactly(tuple(Kind.ALIAS_SET, "v1", "prod"), tuple(Kind.ALIAS_SET, "v1", "prod"),
            tuple(Kind.ALIAS_SET, "v1", "prod"));
  }

  @Test
  void changesSinceTheCurrentRevisionIsEmpty() throws Exception {
    store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));
    long current = store.currentRevision();

    ChangeBatch batch = store.changesSince(current, 100);

    assertThat(batch.changes()).isEmpty();
    assertThat(batch.resyncNeeded()).isFalse();
    assertThat(batch.currentRevision()).isEqualTo(current);
    assertThat(batch.lastRevision()).isEqualTo(current);
  }

  @Test
  void aRefusedSaveOrDeleteRecordsNoChange() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    store.save(state("hello", 1, "v1", Map.of(), v1));
    store.save(state("hello", 2, "v1", Map.of("prod", "v1"), v1));
    long before = store.currentRevision();

    assertThat(store.save(state("hello", 2, "v2", Map.of(), v1, version("hello", "v2", "two"))))
        .as("stale save").isFalse();
    assertThat(store.save(state("hello", 1, "v9", Map.of(), version("hello", "v9", "nine"))))
        .as("creating a function that exists").isFalse();
    assertThat(store.delete("hello", 1)).as("stale delete").isFalse();
    assertThat(store.delete("missing", 1)).as("delete of a missing function").isFalse();

    assertThat(store.currentRevision()).as("revision after refused writes").isEqualTo(before);
    assertThat(store.changesSince(before, 100).changes()).as("changes after refused writes").isEmpty();
  }

  @Test
  void announcingAChangeOfStateOrAMalformedEventIsRefused() throws Exception {
    assertThatThrownBy(() -> store.announce("hello", Kind.DEPLOYED, "v1"))
        .as("DEPLOYED is recorded by save").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.announce("hello", Kind.VERSION_STOPPED, null))
        .as("a stop without a version").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.announce("not a name", Kind.VERSION_STOPPED, "v1"))
        .as("a bad function name").isInstanceOf(FaasException.class);

    assertThat(store.currentRevision()).as("nothing recorded").isZero();
  }

  @Test
  void aBatchHoldsAtMostMaxChangesAndTheRestFollow() throws Exception {
    for (int i = 0; i < 5; i++) {
      store.save(state("fn-" + i, 1, "v1", Map.of(), version("fn-" + i, "v1", "code")));
    }

    ChangeBatch first = store.changesSince(0, 3);
    assertThat(first.changes()).extracting(Change::revision).containsExactly(1L, 2L, 3L);
    assertThat(first.hasMore()).as("more after revision 3 of 10").isTrue();

    List<Long> rest = new ArrayList<>();
    ChangeBatch batch = first;
    while (batch.hasMore()) {
      batch = store.changesSince(batch.lastRevision(), 3);
      batch.changes().forEach(change -> rest.add(change.revision()));
    }
    assertThat(rest).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
  }

  @Test
  void aRevisionWhoseNextChangeWasPrunedAsksForAResync() throws Exception {
    try (FunctionStore small = newStoreKeepingChanges(3)) {
      for (int i = 0; i < 3; i++) {
        small.save(state("fn-" + i, 1, "v1", Map.of(), version("fn-" + i, "v1", "code")));
      }

      ChangeBatch fromStart = small.changesSince(0, 100);
      assertThat(fromStart.resyncNeeded()).as("revision 1 is no longer held").isTrue();
      assertThat(fromStart.changes()).isEmpty();
      assertThat(fromStart.currentRevision()).as("where to continue after the resync").isEqualTo(6);
      assertThat(small.changesSince(2, 100).resyncNeeded()).as("revision 3 is no longer held").isTrue();
      assertThat(small.changesSince(3, 100).changes()).extracting(Change::revision).as("the last three")
          .containsExactly(4L, 5L, 6L);
    }
  }

  @Test
  void aRevisionNewerThanTheStoresAsksForAResync() throws Exception {
    store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));

    ChangeBatch batch = store.changesSince(store.currentRevision() + 5, 100);

    assertThat(batch.resyncNeeded()).as("a node that saw a revision this store never had").isTrue();
    assertThat(batch.currentRevision()).isEqualTo(store.currentRevision());
  }

  @Test
  void badFeedArgumentsAreRefused() {
    assertThatThrownBy(() -> store.changesSince(-1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.changesSince(0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSubscriberIsToldOfAChangeMadeThroughTheStore() throws Exception {
    BlockingQueue<Boolean> calls = new LinkedBlockingQueue<>();
    try (FunctionStore.Subscription subscription = store.subscribe(calls::add)) {
      store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));

      assertThat(calls.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
          .as("a call within %s of the save", PATIENCE).isNotNull();
    }
  }

  /**
   * Writers on several threads, each saving its own function (new version, latest moved to it),
   * while this thread follows the feed: it must never see a gap, and it must see each function's
   * changes in the order they were made.
   */
  @Test
  void concurrentWritersGetGapFreeRevisionsInTheOrderAReaderSeesThem() throws Exception {
    int writers = 4;
    int savesEach = 25;
    int total = writers * savesEach * 2; // DEPLOYED and LATEST_MOVED per save
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String name = "writer-" + w;
        done.add(pool.submit(() -> {
          go.await();
          List<FunctionVersion> versions = new ArrayList<>();
          for (int n = 0; n < savesEach; n++) {
            versions.add(version(name, "v" + n, "code " + n));
            FunctionVersion[] kept = versions.toArray(FunctionVersion[]::new);
            if (!store.save(state(name, n + 1, "v" + n, Map.of(), kept))) {
              throw new AssertionError(name + " lost its own revision " + (n + 1));
            }
          }
          return null;
        }));
      }
      go.countDown();

      Map<String, Integer> nextChange = new HashMap<>();
      long last = 0;
      long deadline = System.nanoTime() + PATIENCE.toNanos() * 4;
      while (last < total) {
        if (System.nanoTime() > deadline) {
          fail("the reader saw only " + last + " of " + total + " changes in time");
        }
        ChangeBatch batch = store.changesSince(last, 37);
        assertThat(batch.resyncNeeded()).as("resync asked at revision %d", last).isFalse();
        for (Change change : batch.changes()) {
          assertThat(change.revision()).as("the change after revision %d", last).isEqualTo(last + 1);
          int index = nextChange.merge(change.function(), 1, Integer::sum) - 1;
          assertThat(change.kind()).as("kind of change %d of %s", index, change.function())
              .isEqualTo(index % 2 == 0 ? Kind.DEPLOYED : Kind.LATEST_MOVED);
          assertThat(change.version()).as("version of change %d of %s", index, change.function())
              .isEqualTo("v" + index / 2);
          last = change.revision();
        }
      }
      for (Future<?> writer : done) {
        writer.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      }
      assertThat(store.currentRevision()).as("revision after every save").isEqualTo(total);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("writers ended").isTrue();
    }
  }
}
