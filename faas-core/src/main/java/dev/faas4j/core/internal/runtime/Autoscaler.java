package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Scaling;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The replica count one version wants, decided from its in-flight concurrency in the manner of
 * Knative's pod autoscaler (KPA).
 *
 * <p>Each {@link #decide decision} is given the average concurrency since the previous one. The
 * averages of the stable window and of the panic window (see {@link Scaling}) each ask for {@code
 * ceil(average / targetConcurrency)} replicas. When the panic window's average needs twice the
 * replicas that are ready, the version panics: it takes the panic window's count at once, never
 * less than it took before, and stays panicking until no such burst has been seen for a whole
 * stable window. Otherwise it takes the stable window's count. The result is clamped to
 * {@code [max(1, min), max]}, and a lower count is taken only once it has been the only one wanted
 * for the scale-down delay: the answer is the highest count wanted within that delay.
 *
 * <p>Time is whatever the caller passes (milliseconds of an injected clock), so it is tested by
 * feeding samples at made-up times. Not thread-safe: it has one owner, the autoscaling pass.
 */
final class Autoscaler {

  /** What one decision saw and chose. */
  record Decision(int replicas, boolean panicking, double stableAverage, double panicAverage) {}

  /** The average concurrency over {@code [endMillis - durationMillis, endMillis]}. */
  private record Sample(long endMillis, long durationMillis, double concurrency) {}

  /** A count wanted at a time, kept for the scale-down delay. */
  private record Wanted(long atMillis, int replicas) {}

  private final Scaling scaling;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final ArrayDeque<Wanted> wanted = new ArrayDeque<>();
  /** Panicking while the time is before this; {@link Long#MIN_VALUE} when not panicking. */
  private long panicUntil = Long.MIN_VALUE;
  /** The highest count taken in the current panic. */
  private int panicReplicas;

  Autoscaler(Scaling scaling) {
    this.scaling = scaling;
  }

  /**
   * Records that the version served {@code concurrency} requests at once on average over the last
   * {@code sinceMillis} up to {@code nowMillis}, with {@code ready} replicas ready, and decides.
   */
  Decision decide(long nowMillis, long sinceMillis, double concurrency, int ready) {
    if (sinceMillis > 0) {
      samples.addLast(new Sample(nowMillis, sinceMillis, Math.max(0, concurrency)));
    }
    long window = scaling.window().toMillis();
    while (!samples.isEmpty() && samples.peekFirst().endMillis() <= nowMillis - window) {
      samples.removeFirst();
    }
    double stable = average(nowMillis, window);
    double panic = average(nowMillis, scaling.panicWindow().toMillis());
    int lower = Math.max(1, scaling.min());
    int stableReplicas = clamp(replicasFor(stable), lower);
    int panicReplicas = clamp(replicasFor(panic), lower);

    if (panic / scaling.targetConcurrency() >= 2.0 * Math.max(1, ready)) {
      panicUntil = nowMillis + window;
    }
    boolean panicking = nowMillis < panicUntil;
    int replicas;
    if (panicking) {
      this.panicReplicas = Math.max(this.panicReplicas, panicReplicas);
      replicas = Math.max(this.panicReplicas, stableReplicas);
    } else {
      panicUntil = Long.MIN_VALUE;
      this.panicReplicas = 0;
      replicas = stableReplicas;
    }
    return new Decision(delayScaleDown(nowMillis, replicas), panicking, stable, panic);
  }

  /** The highest count wanted within the scale-down delay, {@code replicas} (wanted now) included. */
  private int delayScaleDown(long nowMillis, int replicas) {
    wanted.addLast(new Wanted(nowMillis, replicas));
    long delay = scaling.scaleDownDelay().toMillis();
    while (wanted.size() > 1 && wanted.peekFirst().atMillis() < nowMillis - delay) {
      wanted.removeFirst();
    }
    int highest = 0;
    for (Wanted w : wanted) {
      highest = Math.max(highest, w.replicas());
    }
    return highest;
  }

  /** The time-weighted average of the samples' concurrency over {@code [now - window, now]}; 0 with none. */
  private double average(long nowMillis, long window) {
    long start = nowMillis - window;
    double weighted = 0;
    long covered = 0;
    for (Iterator<Sample> it = samples.descendingIterator(); it.hasNext(); ) {
      Sample sample = it.next();
      long from = Math.max(start, sample.endMillis() - sample.durationMillis());
      long overlap = sample.endMillis() - from;
      if (overlap <= 0) {
        break;
      }
      weighted += sample.concurrency() * overlap;
      covered += overlap;
    }
    return covered == 0 ? 0 : weighted / covered;
  }

  private int replicasFor(double concurrency) {
    // a hair under a whole number is that number: 2.0000000001 requests at once is two, not three
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(concurrency / scaling.targetConcurrency() - 1e-9));
  }

  private int clamp(int replicas, int lower) {
    return Math.max(lower, Math.min(scaling.max(), replicas));
  }
}
