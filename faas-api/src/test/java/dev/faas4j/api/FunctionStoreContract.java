package dev.faas4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FunctionStore} must have, its change feed included (see
 * {@link ChangeFeedContract}). Extend it once per implementation and return a fresh, empty store
 * from {@link #newStore()}.
 */
public abstract class FunctionStoreContract extends ChangeFeedContract {

  @Test
  void aSavedFunctionLoadsBackEqualInEveryField() throws Exception {
    FunctionSpec rich = FunctionSpec.builder("Hello")
        .version("v1")
        .runtime("js")
        .code("export default { fetch() { return new Response(\"é \\\" ) # 😀\") } }")
        .env("GREETING", "quotes \" and ) and # and\nnewlines and ünïcödé")
        .env("EMPTY", "")
        .label("team", "payments")
        .limits(new Limits(64L << 20, 0.5, 32, Duration.ofSeconds(3), 7))
        .network(new NetworkPolicy(List.of("public", "10.0.0.0/8"), List.of("10.1.0.0/16")))
        .option("format", "module")
        .scaling(new Scaling(1, 3, 2, Duration.ofSeconds(6), Duration.ofMillis(1500)))
        .build();
    FunctionVersion v1 = new FunctionVersion(rich, T0);
    FunctionVersion v2 = new FunctionVersion(rich.withVersion("v2"), T0.plusSeconds(1));
    FunctionState saved = state("Hello", 1, "v2", Map.of("test", "v1", "prod", "v2"), v1, v2);

    assertThat(store.save(saved)).as("first save of a new function").isTrue();

    assertThat(store.load("Hello")).contains(saved);
    assertThat(store.loadAll()).containsExactly(saved);
  }

  @Test
  void loadFindsAFunctionWhateverTheCaseOfItsName() throws Exception {
    FunctionState saved = state("envTest", 1, "v1", Map.of(), version("envTest", "v1", "a"));
    store.save(saved);

    assertThat(store.load("envtest")).as("lower case").contains(saved);
    assertThat(store.load("ENVTEST")).as("upper case").contains(saved);
    assertThat(store.load("other")).isEmpty();
  }

  @Test
  void aNewFunctionMustBeSavedWithRevisionOne() throws Exception {
    assertThat(store.save(state("hello", 2, "v1", Map.of(), version("hello", "v1", "a"))))
        .as("revision 2 of a function that does not exist is stale").isFalse();
    assertThat(store.load("hello")).isEmpty();
  }

  @Test
  void creatingAFunctionThatExistsFailsAndKeepsTheStoredOne() throws Exception {
    FunctionState first = state("hello", 1, "v1", Map.of(), version("hello", "v1", "first"));
    store.save(first);

    assertThat(store.save(state("HELLO", 1, "v9", Map.of(), version("HELLO", "v9", "second")))).isFalse();
    assertThat(store.load("hello")).contains(first);
  }

  @Test
  void aSaveWithTheNextRevisionReplacesVersionsAliasesAndLatest() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    FunctionVersion v2 = version("hello", "v2", "two");
    FunctionVersion v3 = version("hello", "v3", "three");
    store.save(state("hello", 1, "v1", Map.of("test", "v1"), v1, v2));

    FunctionState next = state("hello", 2, "v3", Map.of("test", "v3", "canary", "v2"), v2, v3);
    assertThat(store.save(next)).isTrue();

    assertThat(store.load("hello")).as("v1 dropped, v3 added, aliases replaced").contains(next);
  }

  @Test
  void weightedAliasesLoadBackAndAreReplacedOrDroppedBySaves() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    FunctionVersion v2 = version("hello", "v2", "two");
    FunctionVersion v3 = version("hello", "v3", "three");
    FunctionState split = new FunctionState("hello", 1, List.of(v1, v2, v3), Map.of("prod", "v1", "beta", "v3"), "v3",
        Map.of("prod", TrafficSplit.of("v1", 90, "v2", 10)));
    assertThat(store.save(split)).isTrue();
    assertThat(store.load("hello")).as("weights of prod, beta unweighted").contains(split);
    assertThat(store.loadAll()).containsExactly(split);

    FunctionState moved = new FunctionState("hello", 2, List.of(v1, v2, v3), Map.of("prod", "v2", "beta", "v3"), "v3",
        Map.of("prod", TrafficSplit.of("v1", 0, "v2", 100), "beta", TrafficSplit.of("v3", 1)));
    assertThat(store.save(moved)).isTrue();
    assertThat(store.load("hello")).as("0/100 and a second weighted alias").contains(moved);

    FunctionState dropped = new FunctionState("hello", 3, List.of(v2, v3), Map.of("prod", "v2"), "v3", Map.of());
    assertThat(store.save(dropped)).as("v1 deleted with the weights that named it").isTrue();
    assertThat(store.load("hello")).contains(dropped);
    assertThat(store.loadAll()).containsExactly(dropped);
  }

  @Test
  void aStaleSaveFailsAndChangesNothing() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    store.save(state("hello", 1, "v1", Map.of(), v1));
    FunctionState second = state("hello", 2, "v2", Map.of(), v1, version("hello", "v2", "two"));
    store.save(second);

    FunctionState stale = state("hello", 2, "v1", Map.of("x", "v1"), v1);
    assertThat(store.save(stale)).as("a second writer that also read revision 1").isFalse();
    assertThat(store.save(state("hello", 5, "v1", Map.of(), v1))).as("a revision from the future").isFalse();

    assertThat(store.load("hello")).contains(second);
  }

  @Test
  void deleteRemovesTheFunctionOnlyAtTheCurrentRevision() throws Exception {
    store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));
    store.save(state("keep", 1, "v1", Map.of(), version("keep", "v1", "one")));

    assertThat(store.delete("hello", 7)).as("stale revision").isFalse();
    assertThat(store.load("hello")).isPresent();

    assertThat(store.delete("HELLO", 1)).isTrue();
    assertThat(store.load("hello")).isEmpty();
    assertThat(store.delete("hello", 1)).as("already gone").isFalse();
    assertThat(store.loadAll()).extracting(FunctionState::name).containsExactly("keep");
  }

  @Test
  void aDeletedFunctionCanBeCreatedAgain() throws Exception {
    store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));
    store.delete("hello", 1);

    FunctionState again = state("hello", 1, "v7", Map.of(), version("hello", "v7", "seven"));
    assertThat(store.save(again)).isTrue();
    assertThat(store.load("hello")).contains(again);
  }

  @Test
  void loadAllReturnsEveryFunction() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String name = "fn-" + i;
      names.add(name);
      store.save(state(name, 1, "v1", Map.of(), version(name, "v1", "code " + i)));
    }

    assertThat(store.loadAll()).extracting(FunctionState::name).containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void ofConcurrentWritersOfTheSameRevisionExactlyOneWins() throws Exception {
    FunctionVersion v1 = version("hello", "v1", "one");
    store.save(state("hello", 1, "v1", Map.of(), v1));

    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String alias = "w" + i;
        Callable<Boolean> write = () -> {
          go.await();
          return store.save(state("hello", 2, "v1", Map.of(alias, "v1"), v1));
        };
        results.add(pool.submit(write));
      }
      go.countDown();
      int won = 0;
      for (Future<Boolean> result : results) {
        won += result.get() ? 1 : 0;
      }

      assertThat(won).as("writers that saved revision 2").isEqualTo(1);
      FunctionState stored = store.load("hello").orElseThrow();
      assertThat(stored.revision()).isEqualTo(2);
      assertThat(stored.aliases()).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
