package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FaasException;
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
