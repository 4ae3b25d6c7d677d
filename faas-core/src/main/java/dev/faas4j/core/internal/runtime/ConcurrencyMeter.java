package dev.faas4j.core.internal.runtime;

/**
 * The in-flight concurrency of one version, averaged over time: how many requests it served at
 * once, weighted by how long. Requests {@link #changed change} the level as they begin and end; the
 * autoscaling pass {@link #averageSince takes} the average since it last asked.
 *
 * <p>Thread-safe; each call takes this object's monitor for a few arithmetic operations. Times are
 * milliseconds of the injected clock.
 */
final class ConcurrencyMeter {

  private int level;
  private long lastChange;
  private long periodStart;
  /** The sum of level × milliseconds since {@link #periodStart}, up to {@link #lastChange}. */
  private double area;

  ConcurrencyMeter(long nowMillis) {
    this.lastChange = nowMillis;
    this.periodStart = nowMillis;
  }

  /** A request began ({@code +1}) or ended ({@code -1}) at {@code nowMillis}. */
  synchronized void changed(int delta, long nowMillis) {
    advance(nowMillis);
    level = Math.max(0, level + delta);
  }

  /**
   * The average level since the previous call (or since this meter was made), and starts a new
   * period; returns the period's length through {@code lengthOut[0]}. A period of zero length
   * reports the current level.
   */
  synchronized double averageSince(long nowMillis, long[] lengthOut) {
    advance(nowMillis);
    long length = lastChange - periodStart;
    double average = length <= 0 ? level : area / length;
    lengthOut[0] = Math.max(0, length);
    periodStart = lastChange;
    area = 0;
    return average;
  }

  /** The requests in flight now. */
  synchronized int level() {
    return level;
  }

  private void advance(long nowMillis) {
    if (nowMillis > lastChange) {
      area += (double) level * (nowMillis - lastChange);
      lastChange = nowMillis;
    }
  }
}
