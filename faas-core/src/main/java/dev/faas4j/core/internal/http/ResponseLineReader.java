package dev.faas4j.core.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The lines of an upstream's response, read for {@link ResponseParser}: finds each line end (CRLF
 * or a bare LF; a bare CR is an error) within a bound per section (a head, a chunk-size line, the
 * trailer section), and keeps a line split across reads in a small buffer reused across responses.
 * A whole line in one read is not copied: it is a range of the caller's buffer. Also the byte rules
 * and the quoting of untrusted bytes into messages that the parser's parts share.
 *
 * <p>Not thread-safe: one connection's reader uses it.
 */
final class ResponseLineReader {

  static final byte CR = '\r';
  static final byte LF = '\n';
  private static final int EXCERPT_CHARS = 80;

  private final int maxSectionBytes;

  // The current line when it is split across reads (grown up to maxSectionBytes, reused).
  private byte[] pending = new byte[128];
  private ByteBuffer pendingView = ByteBuffer.wrap(pending);
  private int pendingLength;
  private int partialLineBytes;
  private boolean partialEndsWithCr;
  // Bytes taken by the current bounded section.
  private int sectionBytes;

  /** The buffer holding the line {@link #readLine} found; null when it was not kept. */
  ByteBuffer line;
  /** Where that line's content starts in {@link #line}. */
  int lineFrom;
  /** Where it ends, the line end left out. */
  int lineTo;

  ResponseLineReader(int maxSectionBytes) {
    this.maxSectionBytes = maxSectionBytes;
  }

  /** Forgets any partial line and starts a new section. */
  void reset() {
    pendingLength = 0;
    partialLineBytes = 0;
    partialEndsWithCr = false;
    sectionBytes = 0;
  }

  /** The next line starts a new bounded section. */
  void newSection() {
    sectionBytes = 0;
  }

  /** Whether the line found is empty. */
  boolean lineIsEmpty() {
    return lineFrom == lineTo;
  }


  /**
   * Finds the next line end in {@code in}, within what is left of the current section's bound.
   * True when a whole line was read: its content, without the line end, is then {@link #line}
   * from {@link #lineFrom} to {@link #lineTo} (when {@code keep} is false only the length is
   * known: {@code line} is null). False when {@code in} ended first: the partial line is kept
   * (copied only when {@code keep}) for the next call.
   */
  boolean readLine(ByteBuffer in, boolean keep, String section) throws UpstreamException {
    int from = in.position();
    int available = in.limit() - from;
    int allowed = maxSectionBytes - sectionBytes;
    int end = from + Math.min(available, allowed);
    boolean cr = partialEndsWithCr;
    for (int i = from; i < end; i++) {
      byte b = in.get(i);
      if (b == LF) {
        sectionBytes += i + 1 - from;
        in.position(i + 1);
        int contentEnd = cr ? i - 1 : i;
        if (partialLineBytes == 0) {
          line = in;
          lineFrom = from;
          lineTo = contentEnd;
        } else if (keep) {
          append(in, from, i - from);
          line = pendingView;
          lineFrom = 0;
          lineTo = cr ? pendingLength - 1 : pendingLength;
        } else {
          line = null;
          lineFrom = 0;
          lineTo = partialLineBytes + (contentEnd - from);
        }
        pendingLength = 0;
        partialLineBytes = 0;
        partialEndsWithCr = false;
        return true;
      }
      if (cr) {
        throw protocolError("the function sent a bare CR (not followed by LF) in the "
            + section + ": " + excerpt(in, from, i + 1));
      }
      cr = b == CR;
    }
    if (available >= allowed) {
      throw protocolError(section + " larger than " + maxSectionBytes + " bytes");
    }
    if (keep) {
      append(in, from, available);
    }
    partialLineBytes += available;
    partialEndsWithCr = cr;
    sectionBytes += available;
    in.position(from + available);
    return false;
  }

  private void append(ByteBuffer in, int from, int length) {
    int needed = pendingLength + length;
    if (needed > pending.length) {
      byte[] grown = new byte[Math.min(maxSectionBytes, Math.max(needed, pending.length * 2))];
      System.arraycopy(pending, 0, grown, 0, pendingLength);
      pending = grown;
      pendingView = ByteBuffer.wrap(grown);
    }
    in.get(from, pending, pendingLength, length);
    pendingLength = needed;
  }

  // ---- bytes

  static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  static boolean isWhite(int c) {
    return c == ' ' || c == '\t';
  }

  /** Control characters that may not appear in a field value or reason phrase (HTAB may). */
  static boolean isControl(byte b) {
    return (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
  }

  static String latin1(ByteBuffer b, int from, int to) {
    if (b.hasArray()) {
      return new String(b.array(), b.arrayOffset() + from, to - from, StandardCharsets.ISO_8859_1);
    }
    byte[] bytes = new byte[to - from];
    b.get(from, bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** A quoted, escaped, shortened piece of untrusted input for an exception message. */
  static String excerpt(ByteBuffer b, int from, int to) {
    StringBuilder s = new StringBuilder("\"");
    int end = Math.min(to, from + EXCERPT_CHARS);
    for (int i = from; i < end; i++) {
      s.append(escape(b.get(i)));
    }
    return s.append(to > end ? "...\"" : "\"").toString();
  }

  static String quote(String value) {
    return excerpt(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)), 0, value.length());
  }

  static UpstreamException protocolError(String message) {
    return new UpstreamException(UpstreamException.Kind.PROTOCOL_ERROR, message);
  }

  static String escape(byte b) {
    int c = b & 0xff;
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      return String.valueOf((char) c);
    }
    return switch (c) {
      case '\r' -> "\\r";
      case '\n' -> "\\n";
      case '\t' -> "\\t";
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      default -> String.format("\\x%02X", c);
    };
  }
}
