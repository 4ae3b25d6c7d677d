package dev.faas4j.workerd.internal;

import dev.faas4j.api.LogLine.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads workerd's structured log lines (the config's {@code logging = (structuredLogging = true)}):
 * one JSON object per line, with the level of the console call that wrote it, which workerd's plain
 * output loses. Each becomes the plain lines the rest of the provider reads: a function's {@code
 * console.warn} and {@code console.error} lines are marked with their level for {@link ConsoleMarks},
 * one line per line of the message; workerd's own report ({@code "source"} set) reads {@code source:
 * level: message} as it does without structured logging, so {@link WorkerdOutput} and
 * {@link LogBuffer} treat it as before. A line that is not such an object is kept as it is.
 *
 * <p>Stateless; thread-safe.
 */
public final class StructuredLines {

  private StructuredLines() {}

  /** The plain lines of one line of workerd's output. */
  public static List<String> expand(String raw) {
    if (!raw.startsWith("{\"") || !raw.endsWith("}")) {
      return List.of(raw);
    }
    Map<String, String> fields = flatObject(raw);
    if (fields == null || !fields.containsKey("level") || !fields.containsKey("message")) {
      return List.of(raw);
    }
    String level = fields.get("level");
    String source = fields.get("source");
    String[] lines = fields.get("message").split("\n", -1);
    int count = lines.length > 1 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
    List<String> out = new ArrayList<>(count);
    Level consoleLevel = switch (level) {
      case "warn" -> Level.WARN;
      case "error" -> Level.ERROR;
      default -> Level.INFO; // log, info, debug
    };
    for (int i = 0; i < count; i++) {
      if (source != null) {
        out.add(i == 0 ? source + ": " + level + ": " + lines[0] : lines[i]);
      } else {
        out.add(ConsoleMarks.mark(consoleLevel, lines[i]));
      }
    }
    return out;
  }

  /**
   * The members of a JSON object whose values are strings or bare literals (numbers, true, false,
   * null), as text; null if {@code json} is anything else.
   */
  static Map<String, String> flatObject(String json) {
    Map<String, String> fields = new HashMap<>();
    int n = json.length();
    int i = 1; // after '{'
    while (i < n) {
      StringBuilder key = new StringBuilder();
      i = JsonStrings.read(json, i, key);
      if (i < 0 || i >= n || json.charAt(i) != ':') {
        return null;
      }
      i++;
      if (i >= n) {
        return null;
      }
      String value;
      if (json.charAt(i) == '"') {
        StringBuilder text = new StringBuilder();
        i = JsonStrings.read(json, i, text);
        if (i < 0) {
          return null;
        }
        value = text.toString();
      } else {
        int start = i;
        while (i < n && json.charAt(i) != ',' && json.charAt(i) != '}') {
          char c = json.charAt(i++);
          if (c == '{' || c == '[' || c == '"') {
            return null; // nested: not what workerd writes
          }
        }
        value = json.substring(start, i);
      }
      fields.put(key.toString(), value);
      if (i >= n) {
        return null;
      }
      char next = json.charAt(i++);
      if (next == '}') {
        return i == n ? fields : null;
      }
      if (next != ',') {
        return null;
      }
    }
    return null;
  }
}
