package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FunctionInfo;
import dev.faas4j.core.VersionInfo;
import dev.faas4j.core.testing.InMemoryProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads on two Faas instances (two "gateways" sharing one database) deploy, move aliases
 * and roll back one function at once. Afterwards a third instance finds a consistent state with
 * every acknowledged change in it.
 */
abstract class FaasConcurrencyContract {

  /** A new store on the database every call of this test shares. */
  protected abstract JdbcFunctionStore newStore() throws Exception;

  private static final int THREADS = 8;
  private static final int OPERATIONS = 12;

  private static FunctionSpec spec(String version) {
    return FunctionSpec.builder("hello").version(version).runtime(InMemoryProvider.RUNTIME).code(version).build();
  }

  @Test
  void aChangeOfWeightsOnOneNodeReachesTheOtherThroughTheFeed() throws Exception {
    try (FaasOverHttp one = new FaasOverHttp(newStore()); FaasOverHttp two = new FaasOverHttp(newStore())) {
      one.faas.deploy(spec("v1"), null);
      one.faas.deploy(spec("v2"), null);
      one.faas.setWeights("hello", "prod", Map.of("v1", 100, "v2", 0));
      awaitAnswer(two, "v1");

      // Only the weights change here (v1 stays the primary): the feed must still carry it.
      one.faas.setWeights("hello", "prod", Map.of("v1", 60, "v2", 40));
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!servesV2ForSomeKey(two)) {
        assertThat(System.nanoTime()).as("node two never sent a key to v2 at 60/40").isLessThan(deadline);
        Thread.sleep(20);
      }

      one.faas.setWeights("hello", "prod", Map.of("v1", 0, "v2", 100));

      awaitAnswer(two, "v2");
      assertThat(two.faas.describe("hello").weights()).as("weights on node two")
          .containsEntry("prod", Map.of("v1", 0, "v2", 100));
      for (int i = 0; i < 50; i++) {
        assertThat(two.get("prod.hello.func.local").body()).as("request %d on node two after the switch", i).isEqualTo("v2");
      }
    }
  }

  private static boolean servesV2ForSomeKey(FaasOverHttp faas) {
    for (int i = 0; i < 50; i++) {
      FunctionResponse answer = faas.faas.invoke("hello", "prod",
          FunctionRequest.get("/").withHeader("X-Faas4j-Sticky", "k" + i));
      if (new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8).equals("v2")) {
        return true;
      }
    }
    return false;
  }

  /** Waits (up to 30 s) until node {@code faas} serves {@code version} at alias prod. */
  private static void awaitAnswer(FaasOverHttp faas, String version) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    String body;
    while (!(body = faas.get("prod.hello.func.local").body()).equals(version)) {
      assertThat(System.nanoTime()).as("node still answers %s, waiting for %s", body, version).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void concurrentDeploysAliasMovesAndRollbacksLoseNoAcknowledgedChange() throws Exception {
    Faas[] gateways = {FaasOverHttp.faas(newStore()), FaasOverHttp.faas(newStore())};
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      gateways[0].deploy(spec("seed"), null);
      AtomicInteger acknowledged = new AtomicInteger(1);
      Set<String> deployed = ConcurrentHashMap.newKeySet();
      deployed.add("seed");
      Map<String, String> aliasTargets = new ConcurrentHashMap<>();
      AtomicInteger conflicts = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        Faas faas = gateways[t % 2];
        workers.add(pool.submit(() -> {
          go.await();
          String mine = null;
          for (int i = 0; i < OPERATIONS; i++) {
            try {
              if (mine == null || i % 3 == 0) {
                String version = "t" + thread + "-" + i;
                faas.deploy(spec(version), null);
                mine = version;
                deployed.add(version);
              } else if (i % 3 == 1) {
                faas.setAlias("hello", "t" + thread, mine);
                aliasTargets.put("t" + thread, mine);
              } else {
                faas.rollback("hello", mine, null);
              }
              acknowledged.incrementAndGet();
            } catch (FaasException e) {
              assertThat(e.reason()).as("only lost races may fail: " + e.getMessage()).isEqualTo(FaasException.Reason.CONFLICT);
              conflicts.incrementAndGet();
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get();
      }

      try (Faas observer = FaasOverHttp.faas(newStore())) {
        FunctionInfo hello = observer.describe("hello");
        List<String> versions = hello.versions().stream().map(VersionInfo::version).toList();
        assertThat(versions).as("every acknowledged deploy").containsExactlyInAnyOrderElementsOf(deployed);
        assertThat(hello.aliases()).as("each alias where its last acknowledged move put it").isEqualTo(new HashMap<>(aliasTargets));
        assertThat(hello.revision()).as("one revision per acknowledged change (%d lost races)", conflicts.get())
            .isEqualTo(acknowledged.get());
        assertThat(versions).contains(hello.latest());
        assertThat(acknowledged.get()).as("most changes went through").isGreaterThan(THREADS * OPERATIONS / 2);
      }
    } finally {
      pool.shutdownNow();
      for (Faas gateway : gateways) {
        gateway.close();
      }
    }
  }
}
