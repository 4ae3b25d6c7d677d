package dev.faas4j.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus.State;
import dev.faas4j.core.MutableClock;
import dev.faas4j.core.internal.telemetry.Metrics;
import dev.faas4j.core.testing.InMemoryProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The two idle tiers, driven by a clock moved by hand: running → frozen → suspended. */
class IdlePolicyTest {

  private static final Duration IDLE = Duration.ofSeconds(60);
  private static final long MB = 1024 * 1024;

  private final MutableClock clock = new MutableClock();
  /** Starts run on a thread of their own, as in Faas (a start outlives the request that caused it). */
  private final ExecutorService starter = Executors.newSingleThreadExecutor();
  private final FunctionRef a = new FunctionRef("a", "v1");
  private final FunctionRef b = new FunctionRef("b", "v1");
  private final FunctionRef c = new FunctionRef("c", "v1");

  private Instances instancesOn(InMemoryProvider provider) {
    provider.handler("ok", request -> FunctionResponse.ok("ok"));
    Instances instances = new Instances(new Providers(List.of(provider)), clock, IDLE, Duration.ofSeconds(5),
        starter, Metrics.NONE);
    for (FunctionRef ref : List.of(a, b, c)) {
      FunctionSpec spec = FunctionSpec.builder(ref.name()).version(ref.version()).runtime("java").code("ok").build();
      instances.register(spec, provider, false);
    }
    return instances;
  }

  private static String call(Instances instances, FunctionRef ref) throws Exception {
    try (Lease lease = instances.acquire(ref)) {
      FunctionResponse response = ((Endpoint.InProcess) lease.endpoint()).handler()
          .handle(new FunctionRequest("GET", "/", "", Map.of(), new byte[0]));
      return new String(response.body());
    }
  }

  @AfterEach
  void stopStarter() throws InterruptedException {
    starter.shutdownNow();
    assertThat(starter.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anIdleVersionIsFrozenAfterTheIdleTimeoutNotTerminated() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(10 * MB);
    Instances instances = instancesOn(provider);
    call(instances, a);

    clock.advance(IDLE.minusSeconds(1));
    assertThat(instances.suspendIdle(ref -> false)).as("not idle long enough yet").isEmpty();
    clock.advance(Duration.ofSeconds(2));

    assertThat(instances.suspendIdle(ref -> false)).containsExactly(a);
    assertThat(instances.status(a).state()).isEqualTo(State.FROZEN);
    assertThat(provider.isFrozen(a)).isTrue();
    assertThat(provider.isRunning(a)).as("a frozen instance keeps running (paused)").isTrue();
  }

  @Test
  void theNextRequestThawsAFrozenVersionBeforeItReachesIt() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(10 * MB);
    Instances instances = instancesOn(provider);
    call(instances, a);
    clock.advance(IDLE.plusSeconds(1));
    instances.suspendIdle(ref -> false);

    // the in-memory handler throws if it runs while frozen, so "ok" proves the thaw came first
    assertThat(call(instances, a)).isEqualTo("ok");
    assertThat(provider.isFrozen(a)).isFalse();
    assertThat(instances.status(a).state()).isEqualTo(State.RUNNING);
    assertThat(provider.starts(a)).as("a thaw is not a start").isEqualTo(1);
  }

  @Test
  void startingAFrozenVersionThawsIt() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(10 * MB);
    Instances instances = instancesOn(provider);
    call(instances, a);
    clock.advance(IDLE.plusSeconds(1));
    instances.suspendIdle(ref -> false);

    instances.start(a); // as a rollback that makes it the latest does

    assertThat(provider.isFrozen(a)).isFalse();
    assertThat(instances.status(a).state()).isEqualTo(State.RUNNING);
    assertThat(call(instances, a)).isEqualTo("ok");
  }

  @Test
  void aFrozenVersionIsTerminatedAfterTheFrozenTimeout() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(10 * MB);
    Instances instances = instancesOn(provider);
    instances.frozenTier(Duration.ofMinutes(10), 1024 * MB);
    call(instances, a);
    clock.advance(IDLE.plusSeconds(1));
    instances.suspendIdle(ref -> false);

    clock.advance(Duration.ofMinutes(8));
    assertThat(instances.suspendIdle(ref -> false)).as("frozen for 9 minutes since its last request").isEmpty();
    assertThat(instances.status(a).state()).isEqualTo(State.FROZEN);

    clock.advance(Duration.ofMinutes(2));
    assertThat(instances.suspendIdle(ref -> false)).containsExactly(a);
    assertThat(instances.status(a).state()).isEqualTo(State.SUSPENDED);
    assertThat(provider.isRunning(a)).isFalse();
    assertThat(provider.isFrozen(a)).isFalse();

    assertThat(call(instances, a)).as("a suspended version starts again").isEqualTo("ok");
    assertThat(provider.starts(a)).isEqualTo(2);
  }

  @Test
  void frozenVersionsOverTheMemoryBudgetAreTerminatedLeastRecentlyUsedFirst() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(40 * MB);
    Instances instances = instancesOn(provider);
    instances.frozenTier(Duration.ofHours(1), 100 * MB); // room for two frozen versions of 40 MB
    call(instances, b);
    clock.advance(Duration.ofSeconds(1));
    call(instances, a);
    clock.advance(Duration.ofSeconds(1));
    call(instances, c);
    clock.advance(IDLE.plusSeconds(5));

    assertThat(instances.suspendIdle(ref -> false))
        .as("all three frozen, then b (used first) terminated to fit 100 MB")
        .containsExactlyInAnyOrder(a, b, c, b);
    assertThat(instances.status(b).state()).isEqualTo(State.SUSPENDED);
    assertThat(instances.status(a).state()).isEqualTo(State.FROZEN);
    assertThat(instances.status(c).state()).isEqualTo(State.FROZEN);

    call(instances, a); // thawed: no longer counts against the budget, and now the most recent
    clock.advance(IDLE.plusSeconds(1));
    instances.frozenTier(Duration.ofHours(1), 50 * MB);
    instances.suspendIdle(ref -> false);
    assertThat(instances.status(c).state()).as("c was used before a").isEqualTo(State.SUSPENDED);
    assertThat(instances.status(a).state()).isEqualTo(State.FROZEN);
  }

  @Test
  void withoutTheCapabilityAnIdleVersionIsTerminatedDirectly() throws Exception {
    InMemoryProvider provider = new InMemoryProvider();
    Instances instances = instancesOn(provider);
    call(instances, a);
    clock.advance(IDLE.plusSeconds(1));

    assertThat(instances.suspendIdle(ref -> false)).containsExactly(a);
    assertThat(instances.status(a).state()).isEqualTo(State.SUSPENDED);
    assertThat(provider.isRunning(a)).isFalse();
  }

  @Test
  void aVersionServingARequestIsNotFrozen() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(10 * MB);
    Instances instances = instancesOn(provider);
    try (Lease lease = instances.acquire(a)) {
      clock.advance(IDLE.plusSeconds(1));
      instances.suspendIdle(ref -> false);
      assertThat(provider.isFrozen(a)).isFalse();
      clock.advance(IDLE.plusSeconds(1));
      assertThat(instances.suspendIdle(ref -> false)).as("lastUsed is older, but a request is in flight").isEmpty();
    }
    assertThat(instances.status(a).state()).isEqualTo(State.RUNNING);
  }

  @Test
  void aFrozenVersionIsNotCountedAsCrashedAndKeptWarmOnesAreNotFrozen() throws Exception {
    InMemoryProvider provider = new InMemoryProvider().freezing(10 * MB);
    Instances instances = instancesOn(provider);
    call(instances, a);
    call(instances, b);
    clock.advance(IDLE.plusSeconds(1));
    assertThat(instances.suspendIdle(b::equals)).containsExactly(a);

    assertThat(instances.recoverCrashed(ref -> true)).isEmpty();
    assertThat(instances.status(a).state()).isEqualTo(State.FROZEN);
    assertThat(instances.status(b).state()).isEqualTo(State.RUNNING);
  }
}
