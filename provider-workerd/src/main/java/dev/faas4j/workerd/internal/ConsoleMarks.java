package dev.faas4j.workerd.internal;

import dev.faas4j.api.LogLine.Level;

/**
 * Reads a line a function printed. workerd wraps what a service-worker script logs in its own log
 * call ({@code workerd/io/worker.c++:2171: info: console.log(); message() = ["served /greet"]},
 * whichever console method it was): this unwraps it to the logged text. And {@link ConsolePrelude}'s
 * console module starts the lines of a module function's {@code console.warn} and {@code
 * console.error} with a marker (workerd itself prints every console level alike), which this reads
 * as the line's level and removes. Stateless; thread-safe.
 */
public final class ConsoleMarks {

  /** The markers, as faas4j-console.js writes them: a unit separator on each side. */
  private static final String WARN = "\u001ffaas4j:warn\u001f";
  private static final String ERROR = "\u001ffaas4j:error\u001f";

  /** A line's level and its text without the marker. */
  public record Marked(Level level, String text) {}

  private ConsoleMarks() {}

  /** workerd's wrapper of a service-worker script's console output, around a JSON array of the arguments. */
  private static final java.util.regex.Pattern WRAPPED =
      java.util.regex.Pattern.compile("workerd/io/worker\\.c\\+\\+:\\d+: info: console\\.log\\(\\); message\\(\\) = \\[(.*)\\]");

  /** The level {@code line} was marked with, or INFO, and the line without its marker or workerd's wrapper. */
  public static Marked read(String line) {
    java.util.regex.Matcher wrapped = WRAPPED.matcher(line);
    if (wrapped.matches()) {
      line = arguments(wrapped.group(1));
    }
    if (line.startsWith(WARN)) {
      return new Marked(Level.WARN, unmark(line, WARN));
    }
    if (line.startsWith(ERROR)) {
      return new Marked(Level.ERROR, unmark(line, ERROR));
    }
    return new Marked(Level.INFO, line);
  }

  /**
   * {@code text} marked with {@code level} (WARN or ERROR; INFO leaves it as it is), unless it is
   * marked already: how a line whose level is known some other way (workerd's structured log)
   * reaches the same reader.
   */
  static String mark(Level level, String text) {
    if (level == Level.INFO || text.startsWith(WARN) || text.startsWith(ERROR)) {
      return text;
    }
    return (level == Level.WARN ? WARN : ERROR) + " " + text;
  }

  /** workerd separates the marker from the first argument with a space: it goes too. */
  private static String unmark(String line, String marker) {
    int from = marker.length();
    return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
  }

  /**
   * The logged arguments as console.log shows them: strings unquoted and unescaped, other values as
   * workerd wrote them, separated by a space. Text that is not the expected JSON is kept as it is.
   */
  static String arguments(String json) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = json.length();
    while (i < n) {
      if (out.length() > 0) {
        out.append(' ');
      }
      if (json.charAt(i) == '"') {
        i = JsonStrings.read(json, i, out);
        if (i < 0) {
          return json; // not a string as workerd writes them
        }
      } else {
        int stop = endOfValue(json, i);
        out.append(json, i, stop);
        i = stop;
      }
      if (json.startsWith(", ", i)) {
        i += 2;
      } else if (i < n) {
        return json;
      }
    }
    return out.toString();
  }

  /** Where the JSON value (object, array, number, literal) starting at {@code from} ends. */
  private static int endOfValue(String json, int from) {
    int depth = 0;
    boolean inString = false;
    for (int i = from; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      } else if (depth == 0 && json.startsWith(", ", i)) {
        return i;
      }
    }
    return json.length();
  }
}
