package dev.faas4j.core.internal.async;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Headers as a queue keeps them: one {@code name: value} line each. Stateless. */
final class HeaderLines {

  private HeaderLines() {}

  /** The headers as lines, leaving out {@code skip} (any case). HTTP field values hold no line break. */
  static String encode(Map<String, List<String>> headers, Set<String> skip) {
    Set<String> skipped = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    skipped.addAll(skip);
    StringBuilder out = new StringBuilder();
    headers.forEach((name, values) -> {
      if (!skipped.contains(name)) {
        for (String value : values) {
          out.append(name).append(": ").append(value.replace('\n', ' ').replace('\r', ' ')).append('\n');
        }
      }
    });
    return out.toString();
  }

  /** What {@link #encode} wrote. */
  static Map<String, List<String>> decode(String lines) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line : lines.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 2));
      }
    }
    return headers;
  }
}
