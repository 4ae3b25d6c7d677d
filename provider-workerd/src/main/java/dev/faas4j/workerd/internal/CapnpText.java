package dev.faas4j.workerd.internal;

import java.nio.charset.StandardCharsets;

/**
 * Writes Cap'n Proto text-format string literals. Stateless and thread-safe.
 *
 * <p>Every byte outside printable ASCII, and every quote and backslash, is written as an escape,
 * so the literal is pure printable ASCII: whatever the input, it can neither end the literal
 * early nor add a line to the config. Non-ASCII characters are written as the {@code \xNN}
 * escapes of their UTF-8 bytes, which Cap'n Proto reassembles into the same UTF-8 text.
 */
public final class CapnpText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private CapnpText() {}

  /** {@code value} as a double-quoted Cap'n Proto text literal. */
  public static String quote(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 2).append('"');
    for (byte b : bytes) {
      int c = b & 0xff;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            out.append((char) c);
          } else {
            out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
