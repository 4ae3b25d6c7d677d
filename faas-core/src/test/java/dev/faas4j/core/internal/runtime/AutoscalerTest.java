package dev.faas4j.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Scaling;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler's decisions, fed one sample a second at made-up times: no clock, no sleeping.
 * Defaults: 60 s stable window, 6 s panic window, 30 s scale-down delay.
 */
class AutoscalerTest {

  private static final long SECOND = 1000;

  /** Feeds {@code seconds} one-second samples of {@code concurrency} from {@code t}; returns the last decision. */
  private static Autoscaler.Decision feed(Autoscaler autoscaler, long[] t, int seconds, double concurrency, int ready) {
    Autoscaler.Decision last = null;
    for (int i = 0; i < seconds; i++) {
      t[0] += SECOND;
      last = autoscaler.decide(t[0], SECOND, concurrency, ready);
    }
    return last;
  }

  @Test
  void steadyLoadWantsConcurrencyOverTargetReplicas() {
    Autoscaler autoscaler = new Autoscaler(Scaling.of(0, 10, 2));
    long[] t = {0};

    Autoscaler.Decision decision = feed(autoscaler, t, 120, 7, 4);

    assertThat(decision.replicas()).as("ceil(7 / 2)").isEqualTo(4);
    assertThat(decision.panicking()).isFalse();
    assertThat(decision.stableAverage()).isEqualTo(7.0);
  }

  @Test
  void aBurstPanicsAndScalesUpAtOnceOnThePanicWindow() {
    Autoscaler autoscaler = new Autoscaler(Scaling.of(0, 10, 1));
    long[] t = {0};
    assertThat(feed(autoscaler, t, 60, 1, 1).replicas()).isEqualTo(1);

    Autoscaler.Decision burst = feed(autoscaler, t, 2, 8, 1);

    // stable average: (58 * 1 + 2 * 8) / 60 = 1.23 -> 2; the panic window (6 s): (4 + 16) / 6 = 3.33 -> 4
    assertThat(burst.panicking()).as("3.3 requests at once on 1 replica is over twice the target").isTrue();
    assertThat(burst.replicas()).as("the panic window's count, not the stable window's 2").isEqualTo(4);
  }

  @Test
  void aPanicNeverScalesDownUntilAStableWindowWithoutBurst() {
    Autoscaler autoscaler = new Autoscaler(new Scaling(0, 10, 1, Duration.ofSeconds(60), Duration.ZERO));
    long[] t = {0};
    feed(autoscaler, t, 60, 1, 1);
    assertThat(feed(autoscaler, t, 6, 8, 1).replicas()).isEqualTo(8);

    Autoscaler.Decision calm = feed(autoscaler, t, 30, 0, 8);
    assertThat(calm.panicking()).as("30 s after the burst, still within a stable window of it").isTrue();
    assertThat(calm.replicas()).as("a panic keeps what it took").isEqualTo(8);

    Autoscaler.Decision over = feed(autoscaler, t, 31, 0, 8);
    assertThat(over.panicking()).isFalse();
    assertThat(over.replicas()).as("back on the stable window, which the burst has left").isEqualTo(1);
  }

  @Test
  void aLowerCountIsTakenOnlyAfterTheScaleDownDelay() {
    Autoscaler autoscaler = new Autoscaler(new Scaling(0, 10, 1, Duration.ofSeconds(10), Duration.ofSeconds(30)));
    long[] t = {0};
    assertThat(feed(autoscaler, t, 20, 3, 3).replicas()).isEqualTo(3);

    // the load stops; after one stable window (10 s) the stable average is 0, but the count stays
    Autoscaler.Decision waiting = feed(autoscaler, t, 30, 0, 3);
    assertThat(waiting.stableAverage()).isZero();
    assertThat(waiting.replicas()).as("3 was wanted within the last 30 s").isEqualTo(3);

    Autoscaler.Decision after = feed(autoscaler, t, 10, 0, 3);
    assertThat(after.replicas()).as("1 has been the only count wanted for 30 s").isEqualTo(1);
  }

  @Test
  void minIsKeptWhateverTheLoad() {
    Autoscaler autoscaler = new Autoscaler(new Scaling(2, 5, 1, Duration.ofSeconds(10), Duration.ZERO));
    long[] t = {0};

    assertThat(feed(autoscaler, t, 30, 0, 2).replicas()).as("no load at all").isEqualTo(2);
    assertThat(feed(autoscaler, t, 30, 0.5, 2).replicas()).as("less than one replica's worth").isEqualTo(2);
  }

  @Test
  void aRunningVersionWithoutMinKeepsOneReplica() {
    Autoscaler autoscaler = new Autoscaler(new Scaling(0, 5, 1, Duration.ofSeconds(10), Duration.ZERO));
    long[] t = {0};

    assertThat(feed(autoscaler, t, 30, 0, 1).replicas())
        .as("scaling to zero is the idle policy's, not the autoscaler's").isEqualTo(1);
  }

  @Test
  void maxIsNeverExceededEvenInAPanic() {
    Autoscaler autoscaler = new Autoscaler(Scaling.of(0, 3, 1));
    long[] t = {0};

    Autoscaler.Decision decision = feed(autoscaler, t, 10, 50, 1);

    assertThat(decision.panicking()).isTrue();
    assertThat(decision.replicas()).isEqualTo(3);
  }

  @Test
  void samplesOfDifferentLengthsAreWeightedByTheirLength() {
    Autoscaler autoscaler = new Autoscaler(new Scaling(0, 10, 1, Duration.ofSeconds(10), Duration.ZERO));

    autoscaler.decide(9000, 9000, 1, 1);
    Autoscaler.Decision decision = autoscaler.decide(10_000, 1000, 11, 6);

    assertThat(decision.stableAverage()).as("(9 s x 1 + 1 s x 11) / 10 s").isEqualTo(2.0);
    assertThat(decision.replicas()).isEqualTo(2);
  }

  @Test
  void theMeterAveragesTheLevelOverTime() {
    ConcurrencyMeter meter = new ConcurrencyMeter(0);
    long[] length = new long[1];
    meter.changed(+1, 0);
    meter.changed(+1, 500);
    meter.changed(-1, 1000);
    meter.changed(-1, 1500);

    assertThat(meter.averageSince(2000, length)).as("1 for 0.5 s, 2 for 0.5 s, 1 for 0.5 s, 0 for 0.5 s").isEqualTo(1.0);
    assertThat(length[0]).isEqualTo(2000);
    meter.changed(+1, 2000);
    assertThat(meter.averageSince(3000, length)).isEqualTo(1.0);
    assertThat(meter.level()).isOne();
  }
}
