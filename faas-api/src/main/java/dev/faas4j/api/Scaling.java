package dev.faas4j.api;

import java.time.Duration;

/**
 * How many instances (replicas) of a version may run, and when faas-core adds or removes them.
 *
 * <p>faas-core's autoscaler measures how many requests each version serves at once (its in-flight
 * concurrency, averaged over time) and wants {@code ceil(average / targetConcurrency)} replicas,
 * kept within {@code [max(1, min), max]} while the version runs. It averages over two windows, in the
 * manner of Knative's autoscaler: the stable {@code window}, and a panic window of a tenth of it
 * (at least one second); when the panic window's average reaches twice what the ready replicas are
 * meant to serve, it scales up on that average at once and does not scale down until the burst has
 * been over for a whole stable window. A lower count takes effect only once it has been the wanted
 * count for {@code scaleDownDelay}. Scaling to zero is not the autoscaler's: an idle version is
 * suspended by the idle policy, unless {@code min > 0}, which keeps that many replicas running.
 *
 * <p>The default, {@link #DEFAULT}, is one replica at most and none kept warm: the behaviour of a
 * version that asks for nothing. Immutable; the constructor validates and throws
 * {@link FaasException} with reason {@code INVALID_REQUEST} naming the bad value.
 *
 * @param min replicas kept running even when idle (0: the version may be suspended), at most {@code max}
 * @param max the most replicas the version runs on one node, from 1 to {@value #MAX_REPLICAS}
 * @param targetConcurrency how many requests at once one replica is meant to serve, from 1 to
 *     {@value #MAX_TARGET_CONCURRENCY}
 * @param window the stable window the concurrency is averaged over, from 1 s to 1 h; null for 60 s
 * @param scaleDownDelay how long a lower replica count must be wanted before replicas are stopped,
 *     from 0 to 1 h; null for 30 s
 */
public record Scaling(int min, int max, int targetConcurrency, Duration window, Duration scaleDownDelay) {

  /** The most replicas one version may ask for. */
  public static final int MAX_REPLICAS = 64;
  /** The largest target concurrency. */
  public static final int MAX_TARGET_CONCURRENCY = 10_000;
  /** The target concurrency when none is given. */
  public static final int DEFAULT_TARGET_CONCURRENCY = 10;
  /** The stable window when none is given. */
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
  /** The scale-down delay when none is given. */
  public static final Duration DEFAULT_SCALE_DOWN_DELAY = Duration.ofSeconds(30);

  private static final Duration LONGEST = Duration.ofHours(1);

  /** One replica at most, none kept when idle (declared after what its constructor reads). */
  public static final Scaling DEFAULT = new Scaling(0, 1, DEFAULT_TARGET_CONCURRENCY, null, null);

  public Scaling {
    window = window == null ? DEFAULT_WINDOW : window;
    scaleDownDelay = scaleDownDelay == null ? DEFAULT_SCALE_DOWN_DELAY : scaleDownDelay;
    if (max < 1 || max > MAX_REPLICAS) {
      throw FaasException.invalid("scaling.max must be from 1 to " + MAX_REPLICAS + ", was " + max);
    }
    if (min < 0 || min > max) {
      throw FaasException.invalid("scaling.min must be from 0 to scaling.max (" + max + "), was " + min);
    }
    if (targetConcurrency < 1 || targetConcurrency > MAX_TARGET_CONCURRENCY) {
      throw FaasException.invalid("scaling.target_concurrency must be from 1 to " + MAX_TARGET_CONCURRENCY
          + ", was " + targetConcurrency);
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(LONGEST) > 0) {
      throw FaasException.invalid("scaling.window must be from 1 s to 1 h, was " + window.toMillis() + " ms");
    }
    if (scaleDownDelay.isNegative() || scaleDownDelay.compareTo(LONGEST) > 0) {
      throw FaasException.invalid("scaling.scale_down_delay must be from 0 to 1 h, was " + scaleDownDelay.toMillis() + " ms");
    }
  }

  /** Scaling between {@code min} and {@code max} replicas with the default windows. */
  public static Scaling of(int min, int max, int targetConcurrency) {
    return new Scaling(min, max, targetConcurrency, null, null);
  }

  /** The panic window: a tenth of the stable window, at least one second. */
  public Duration panicWindow() {
    Duration tenth = window.dividedBy(10);
    return tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tenth;
  }

  /** Whether the version may run more than one replica or keeps some warm: whether autoscaling concerns it. */
  public boolean autoscaled() {
    return max > 1 || min > 0;
  }
}
