package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.core.testing.InMemoryProvider;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The builder's frozen-tier options reach the idle policy: {@code frozenTimeout} (zero turns the
 * tier off) and {@code frozenMemoryBudget}, on a provider that can freeze, with time moved by hand.
 */
class FrozenTierOptionsTest {

  private static final Duration IDLE = Duration.ofSeconds(60);
  private static final FunctionRef F = new FunctionRef("f", "v1");
  private static final FunctionRef G = new FunctionRef("g", "v1");

  private final MutableClock clock = new MutableClock();
  private final InMemoryProvider provider =
      new InMemoryProvider(spec -> request -> FunctionResponse.text(200, spec.code()), "js").freezing(100);

  private Faas faas(Consumer<FaasBuilder> options) {
    FaasBuilder builder = Faas.builder().provider(provider).clock(clock).maintenanceInterval(Duration.ZERO)
        .keepLatestWarm(false).idleTimeout(IDLE);
    options.accept(builder);
    return builder.build();
  }

  private static void deployAndCall(Faas faas, FunctionRef ref) {
    faas.deploy(FunctionSpec.builder(ref.name()).runtime("js").version(ref.version()).code(ref.name()).build(), null);
    assertThat(faas.invoke(ref.name(), ref.version(), FunctionRequest.get("/")).status()).isEqualTo(200);
  }

  private static VersionStatus.State state(Faas faas, FunctionRef ref) {
    return faas.describe(ref.name()).versions().get(0).state();
  }

  @Test
  void anIdleVersionIsFrozenThenTerminatedAfterTheFrozenTimeout() {
    try (Faas faas = faas(b -> b.frozenTimeout(Duration.ofMinutes(5)))) {
      deployAndCall(faas, F);

      clock.advance(IDLE.plusSeconds(1));
      faas.suspendIdle();
      assertThat(state(faas, F)).isEqualTo(VersionStatus.State.FROZEN);
      assertThat(provider.isFrozen(F)).isTrue();

      clock.advance(Duration.ofMinutes(3));
      faas.suspendIdle();
      assertThat(state(faas, F)).as("4 min 1 s since its last call, with a 5 min frozen timeout (counted from it)")
          .isEqualTo(VersionStatus.State.FROZEN);

      clock.advance(Duration.ofMinutes(1));
      faas.suspendIdle();
      assertThat(state(faas, F)).isEqualTo(VersionStatus.State.SUSPENDED);
      assertThat(faas.invoke("f", "v1", FunctionRequest.get("/")).status()).as("it starts again").isEqualTo(200);
    }
  }

  @Test
  void aFrozenTimeoutOfZeroTerminatesIdleVersionsWithoutFreezingThem() {
    try (Faas faas = faas(b -> b.frozenTimeout(Duration.ZERO))) {
      deployAndCall(faas, F);

      clock.advance(IDLE.plusSeconds(1));
      assertThat(faas.suspendIdle()).containsExactly(F);

      assertThat(state(faas, F)).isEqualTo(VersionStatus.State.SUSPENDED);
      assertThat(provider.isFrozen(F)).isFalse();
    }
  }

  @Test
  void overTheMemoryBudgetTheLeastRecentlyUsedFrozenVersionIsTerminated() {
    try (Faas faas = faas(b -> b.frozenMemoryBudget(150))) { // each frozen instance holds 100 bytes
      deployAndCall(faas, F);
      clock.advance(Duration.ofSeconds(1));
      deployAndCall(faas, G);

      clock.advance(IDLE.plusSeconds(1));
      faas.suspendIdle();

      assertThat(state(faas, F)).as("used first").isEqualTo(VersionStatus.State.SUSPENDED);
      assertThat(state(faas, G)).isEqualTo(VersionStatus.State.FROZEN);
    }
  }

  @Test
  void badValuesAreRefusedWhenSet() {
    assertThatThrownBy(() -> Faas.builder().frozenTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozenTimeout");
    assertThatThrownBy(() -> Faas.builder().frozenMemoryBudget(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozenMemoryBudget");
  }
}
