package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads changing one function with read-modify-write loops that retry on a stale revision:
 * adding versions, moving aliases, changing the latest version. Run against each database.
 */
abstract class ConcurrentWritersContract {

  private static final int THREADS = 8;
  private static final int CHANGES_PER_THREAD = 15;

  /** A new store on the database of this test; called once or twice per test (two stores share it). */
  protected abstract JdbcFunctionStore openStore() throws Exception;

  /** What one thread acknowledged, to compare with the final state. */
  private static final class Acks {
    final AtomicInteger saves = new AtomicInteger();
    final List<String> addedVersions = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> aliasTargets = new ConcurrentHashMap<>();
    /** Revision of each acknowledged change of latest, to the version it set. */
    final Map<Long, String> latestByRevision = new ConcurrentHashMap<>();
  }

  @Test
  void everyAcknowledgedChangeIsKeptAndTheRevisionCountsTheSaves() throws Exception {
    try (JdbcFunctionStore store = openStore()) {
      runWriters(store, store);
    }
  }

  @Test
  void twoStoresOnOneDatabaseKeepEveryAcknowledgedChange() throws Exception {
    try (JdbcFunctionStore first = openStore(); JdbcFunctionStore second = openStore()) {
      runWriters(first, second);
    }
  }

  private void runWriters(JdbcFunctionStore even, JdbcFunctionStore odd) throws Exception {
    FunctionVersion v0 = version("v0");
    even.save(new FunctionState("hello", 1, List.of(v0), Map.of(), "v0"));
    Acks acks = new Acks();

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        JdbcFunctionStore store = t % 2 == 0 ? even : odd;
        done.add(pool.submit(() -> {
          go.await();
          writeChanges(store, thread, acks);
          return null;
        }));
      }
      go.countDown();
      for (Future<?> future : done) {
        future.get(10, TimeUnit.MINUTES); // a deadline against a hang, not a speed assertion
      }
    } finally {
      pool.shutdownNow();
    }

    FunctionState last = odd.load("hello").orElseThrow();
    assertThat(acks.saves.get()).as("acknowledged saves").isEqualTo(THREADS * CHANGES_PER_THREAD);
    assertThat(last.revision()).as("revision = 1 + acknowledged saves").isEqualTo(1L + acks.saves.get());
    assertThat(last.versions()).extracting(FunctionVersion::version).as("every acknowledged new version")
        .containsAll(acks.addedVersions)
        .hasSize(1 + acks.addedVersions.size());
    assertThat(last.aliases()).as("each thread's alias where it last moved it")
        .containsAllEntriesOf(acks.aliasTargets)
        .hasSameSizeAs(acks.aliasTargets);
    long lastLatestChange = acks.latestByRevision.keySet().stream().mapToLong(Long::longValue).max().orElse(1);
    assertThat(last.latest()).as("latest as set by the last acknowledged change of it (revision %d)",
        lastLatestChange).isEqualTo(acks.latestByRevision.getOrDefault(lastLatestChange, "v0"));
    assertThat(even.load("hello")).as("the other store reads the same state").contains(last);
  }

  private static void writeChanges(JdbcFunctionStore store, int thread, Acks acks) throws Exception {
    Random random = new Random(thread);
    for (int change = 0; change < CHANGES_PER_THREAD; change++) {
      while (true) {
        FunctionState current = store.load("hello").orElseThrow();
        List<FunctionVersion> versions = new ArrayList<>(current.versions());
        Map<String, String> aliases = new LinkedHashMap<>(current.aliases());
        String latest = current.latest();
        String added = null;
        String alias = null;
        switch (change % 3) {
          case 0 -> {
            added = "t" + thread + "-" + change;
            versions.add(version(added));
          }
          case 1 -> {
            alias = "a" + thread;
            aliases.put(alias, versions.get(random.nextInt(versions.size())).version());
          }
          default -> latest = versions.get(random.nextInt(versions.size())).version();
        }
        FunctionState next = new FunctionState("hello", current.revision() + 1, versions, aliases, latest);
        if (store.save(next)) {
          acks.saves.incrementAndGet();
          if (added != null) {
            acks.addedVersions.add(added);
          } else if (alias != null) {
            acks.aliasTargets.put(alias, aliases.get(alias));
          } else {
            acks.latestByRevision.put(next.revision(), latest);
          }
          break;
        }
      }
    }
  }

  private static FunctionVersion version(String version) {
    return new FunctionVersion(
        FunctionSpec.builder("hello").version(version).code("// " + version).env("V", version).build(), Fixtures.T0);
  }
}
