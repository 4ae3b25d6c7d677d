package dev.faas4j.workerd.internal;

import dev.faas4j.api.LogLine.Level;

/**
 * Reads the level of a line a function printed: {@link ConsolePrelude}'s console module starts the
 * lines of {@code console.warn} and {@code console.error} with a marker (workerd itself prints every
 * console level alike), which this removes. Stateless; thread-safe.
 */
public final class ConsoleMarks {

  /** The markers, as faas4j-console.js writes them: a unit separator on each side. */
  private static final String WARN = "\u001ffaas4j:warn\u001f";
  private static final String ERROR = "\u001ffaas4j:error\u001f";

  /** A line's level and its text without the marker. */
  public record Marked(Level level, String text) {}

  private ConsoleMarks() {}

  /** The level {@code line} was marked with, or INFO, and the line without its marker. */
  public static Marked read(String line) {
    if (line.startsWith(WARN)) {
      return new Marked(Level.WARN, unmark(line, WARN));
    }
    if (line.startsWith(ERROR)) {
      return new Marked(Level.ERROR, unmark(line, ERROR));
    }
    return new Marked(Level.INFO, line);
  }

  /** workerd separates the marker from the first argument with a space: it goes too. */
  private static String unmark(String line, String marker) {
    int from = marker.length();
    return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
  }
}
