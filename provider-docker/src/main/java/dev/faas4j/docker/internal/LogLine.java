package dev.faas4j.docker.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One line of container output with the engine's timestamp, so that lines of several containers
 * can be merged in order.
 *
 * @param time when the engine received the line
 * @param text the line without its timestamp and line break
 */
record LogLine(Instant time, String text) implements Comparable<LogLine> {

  /** Parses {@code "2026-11-21T23:44:11.123456789Z text"}, as the engine writes with timestamps on. */
  static LogLine parse(String raw) {
    int space = raw.indexOf(' ');
    if (space > 0) {
      try {
        return new LogLine(Instant.parse(raw.substring(0, space)), raw.substring(space + 1));
      } catch (DateTimeParseException e) {
        // not a timestamped line: keep it whole
      }
    }
    return new LogLine(Instant.EPOCH, raw);
  }

  @Override
  public int compareTo(LogLine other) {
    return time.compareTo(other.time);
  }
}
