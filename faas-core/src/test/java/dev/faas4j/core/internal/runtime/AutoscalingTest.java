package dev.faas4j.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Scaling;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.core.MutableClock;
import dev.faas4j.core.internal.telemetry.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Instances, the autoscaler and the least-outstanding spread together, on a provider of made-up
 * replicas, a clock moved by hand and scaling run on the calling thread: no process, no sleeping.
 */
class AutoscalingTest {

  private static final String CODE = "addEventListener('fetch', e => e.respondWith(new Response('x')))";

  private final MutableClock clock = new MutableClock();
  private final ReplicaProvider provider = new ReplicaProvider();
  private final Instances instances = new Instances(new Providers(List.of(provider)), clock, Duration.ofMinutes(5),
      Duration.ofSeconds(5), Runnable::run, Metrics.NONE);
  private final Maintenance maintenance = new Maintenance(instances, ref -> false, () -> {}, Duration.ZERO);

  private FunctionRef register(Scaling scaling) {
    FunctionSpec spec = FunctionSpec.builder("hot").version("v1").code(CODE).scaling(scaling).build();
    instances.register(spec, provider, true);
    return spec.ref();
  }

  private void passes(int seconds) {
    for (int i = 0; i < seconds; i++) {
      clock.advance(Duration.ofSeconds(1));
      maintenance.runOnce();
    }
  }

  @Test
  void aBurstAddsReplicasAndNewRequestsGoToTheIdleOnes() {
    FunctionRef ref = register(new Scaling(0, 3, 1, Duration.ofSeconds(10), Duration.ofSeconds(5)));
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(instances.acquire(ref));
    }
    assertThat(provider.replicas()).as("the first request started one replica").isEqualTo(1);

    passes(1);

    assertThat(provider.replicas()).as("3 requests at once, target 1: panic to 3").isEqualTo(3);
    Set<Object> next = List.of(instances.acquire(ref), instances.acquire(ref)).stream()
        .map(Lease::endpoint).collect(Collectors.toSet());
    assertThat(next).as("the two new replicas had nothing outstanding")
        .containsExactlyInAnyOrder(ReplicaProvider.replica(1), ReplicaProvider.replica(2));
    assertThat(instances.status(ref).readyReplicas()).isEqualTo(3);
  }

  @Test
  void afterTheLoadTheReplicasGoBackToOneOnlyOnceTheDelayHasPassed() {
    FunctionRef ref = register(new Scaling(0, 3, 1, Duration.ofSeconds(10), Duration.ofSeconds(5)));
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(instances.acquire(ref));
    }
    passes(3);
    open.forEach(Lease::close);
    assertThat(provider.replicas()).isEqualTo(3);

    passes(6);
    assertThat(provider.replicas()).as("still panicking: a stable window (10 s) since the burst began has not passed")
        .isEqualTo(3);

    passes(10);
    assertThat(provider.replicas()).as("panic over, 1 wanted for the whole scale-down delay").isEqualTo(1);
    assertThat(instances.status(ref).state()).as("scaled down, not suspended").isEqualTo(VersionStatus.State.RUNNING);
    assertThat(provider.scales).containsExactly(1, 3, 1);
  }

  @Test
  void minReplicasAreStartedAndNeverSuspendedWhenIdle() {
    FunctionRef ref = register(new Scaling(2, 3, 1, Duration.ofSeconds(10), Duration.ZERO));
    instances.start(ref);

    passes(1);
    assertThat(provider.replicas()).as("scaled up to min").isEqualTo(2);

    clock.advance(Duration.ofMinutes(10)); // far past the idle timeout
    List<FunctionRef> suspended = maintenance.runOnce();

    assertThat(suspended).isEmpty();
    assertThat(instances.status(ref).state()).isEqualTo(VersionStatus.State.RUNNING);
    assertThat(provider.replicas()).isEqualTo(2);
  }

  @Test
  void aVersionWithoutScalingIsSuspendedWhenIdleAndNeverScaled() {
    FunctionRef ref = register(Scaling.DEFAULT);
    List<Lease> open = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      open.add(instances.acquire(ref));
    }
    passes(5);
    assertThat(provider.replicas()).as("max 1").isEqualTo(1);
    open.forEach(Lease::close);

    clock.advance(Duration.ofMinutes(10));
    assertThat(maintenance.runOnce()).containsExactly(ref);
    assertThat(provider.scales).containsExactly(1, 0);
  }
}
