package dev.faas4j.core.internal.control;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates version names that are unique in this JVM, sort in deploy order as strings, and are
 * DNS labels: {@code v20261121-153045123} (UTC date, then time to the millisecond). Two deploys in
 * the same millisecond get consecutive milliseconds: the generator never repeats or goes back.
 */
public final class VersionIds {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("'v'yyyyMMdd'-'HHmmssSSS").withZone(ZoneOffset.UTC);

  private final Clock clock;
  private final AtomicLong last = new AtomicLong();

  public VersionIds(Clock clock) {
    this.clock = clock;
  }

  /** The next version name. */
  public String next() {
    long now = clock.millis();
    long millis = last.updateAndGet(previous -> Math.max(previous + 1, now));
    return FORMAT.format(Instant.ofEpochMilli(millis));
  }
}
