package dev.faas4j.workerd.internal;

/**
 * Reads the JSON string literals of workerd's log lines. Stateless; thread-safe.
 */
final class JsonStrings {

  private JsonStrings() {}

  /**
   * Appends the string literal that starts at {@code from} (its opening quote) to {@code out},
   * unescaped, and returns the index just after its closing quote; returns -1 if it is not a
   * well-formed literal (unterminated, or a bad {@code \\u} escape), {@code out} then holding part of it.
   */
  static int read(String json, int from, StringBuilder out) {
    int n = json.length();
    if (from >= n || json.charAt(from) != '"') {
      return -1;
    }
    int i = from + 1;
    while (i < n) {
      char c = json.charAt(i++);
      if (c == '"') {
        return i;
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i >= n) {
        return -1;
      }
      char e = json.charAt(i++);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (i + 4 > n) {
            return -1;
          }
          try {
            out.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
          } catch (NumberFormatException bad) {
            return -1;
          }
          i += 4;
        }
        default -> out.append(e);
      }
    }
    return -1;
  }
}
