package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads HTTP/1.x responses from one upstream connection, incrementally, strictly.
 *
 * <p>The connection's reader feeds bytes as they arrive to {@link #parse}; the parser reports the
 * final response head, the body in pieces (chunked framing removed) and the end through a {@link
 * Listener}. It never buffers body bytes: each piece is a view of the caller's buffer, valid only
 * during the call. Anything malformed throws an {@link UpstreamException} of kind {@link
 * UpstreamException.Kind#PROTOCOL_ERROR}; the caller then closes the connection (a response that
 * cannot be framed with certainty must never let the next response on the same connection be
 * misread).
 *
 * <p>The rules are RFC 9112's, read strictly where leniency could desynchronise a keep-alive
 * connection: a line ends with CRLF or a bare LF (a bare CR is an error); interim 1xx heads other
 * than 101 are skipped; obs-fold, white space before a field's colon, control characters in a
 * field value, conflicting {@code Content-Length} values and malformed chunk framing are errors.
 * A head, one chunk-size line and the trailer section are each bounded by {@code maxHeadBytes}.
 * Only a line split across {@link #parse} calls is copied, into a small buffer reused across
 * responses.
 *
 * <p>Not thread-safe: one connection's reader uses it.
 */
final class ResponseParser {

  /** What the parser found; called on the thread that calls {@link #parse}. */
  public interface Listener {
    /** The final (non-1xx) head; called once per response, before any body. */
    void onHead(ResponseHead head) throws IOException;

    /** A piece of the body; the buffer is only valid during the call. Never empty. */
    void onData(ByteBuffer piece) throws IOException;

    /** The response ended; called once, after the head and the whole body. */
    void onEnd() throws IOException;
  }

  private enum State {
    HEAD,
    LENGTH_BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    CHUNK_DATA_END_LF,
    TRAILER,
    UNTIL_CLOSE,
    DONE,
    FAILED
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final int MAX_CHUNK_SIZE_DIGITS = 15;
  private static final int EXCERPT_CHARS = 80;
  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private final int maxHeadBytes;
  private final List<ResponseHead.Field> fields = new ArrayList<>();

  // The current line when it is split across parse() calls (grown up to maxHeadBytes, reused).
  private byte[] pending = new byte[128];
  private ByteBuffer pendingView = ByteBuffer.wrap(pending);
  private int pendingLength;
  private int partialLineBytes;
  private boolean partialEndsWithCr;
  // Bytes taken by the current bounded section (a head, a chunk-size line, the trailer section).
  private int sectionBytes;
  // The line readLine() found: its content without the line end.
  private ByteBuffer line;
  private int lineFrom;
  private int lineTo;

  private State state;
  private boolean headRequest;
  private boolean started;
  private boolean keepAlive;
  private long remaining;

  // The head being read.
  private int headLines;
  private int status;
  private boolean http11;
  private long declaredLength;
  private boolean transferEncoding;
  private boolean chunked;
  private boolean connectionClose;
  private boolean connectionKeepAlive;

  /**
   * @param maxHeadBytes the most a response head (status line and fields, or a chunk-size line, or
   *     the trailer section) may take; more is a protocol error
   */
  ResponseParser(int maxHeadBytes) {
    if (maxHeadBytes < 1) {
      throw new IllegalArgumentException("maxHeadBytes must be positive, not " + maxHeadBytes);
    }
    this.maxHeadBytes = maxHeadBytes;
    reset(false);
  }

  /**
   * Prepares for the response to a new request.
   *
   * @param headRequest true when the request was {@code HEAD}: its response has no body whatever
   *     its fields say
   */
  void reset(boolean headRequest) {
    this.headRequest = headRequest;
    started = false;
    keepAlive = false;
    remaining = 0;
    startHead();
    state = State.HEAD;
  }

  /**
   * Consumes bytes from {@code in}, reporting to {@code listener}. Returns when {@code in} is empty
   * or when the response ended; in the latter case any bytes still in {@code in} belong to no
   * request (the caller treats them as a protocol violation).
   *
   * @return true once the response has ended ({@link Listener#onEnd} was called)
   * @throws UpstreamException if the bytes are not a valid response
   * @throws IOException what the listener threw
   */
  boolean parse(ByteBuffer in, Listener listener) throws IOException {
    if (state == State.DONE) {
      return true;
    }
    if (state == State.FAILED) {
      throw new IllegalStateException("this response was already found malformed; reset first");
    }
    if (in.hasRemaining()) {
      started = true;
    }
    try {
      while (in.hasRemaining()) {
        switch (state) {
          case HEAD -> {
            if (readLine(in, true, "response head")) {
              headLine(listener);
            }
          }
          case LENGTH_BODY -> {
            if (deliver(in, listener) && remaining == 0) {
              end(listener);
            }
          }
          case CHUNK_SIZE -> {
            if (readLine(in, true, "chunk-size line")) {
              chunkSizeLine();
            }
          }
          case CHUNK_DATA -> {
            if (deliver(in, listener) && remaining == 0) {
              state = State.CHUNK_DATA_END;
            }
          }
          case CHUNK_DATA_END -> chunkDataEnd(in.get(), true);
          case CHUNK_DATA_END_LF -> chunkDataEnd(in.get(), false);
          case TRAILER -> {
            if (readLine(in, false, "trailer section") && lineFrom == lineTo) {
              end(listener);
            }
          }
          case UNTIL_CLOSE -> deliver(in, listener);
          default -> throw new IllegalStateException(state.toString());
        }
        if (state == State.DONE) {
          return true;
        }
      }
      return false;
    } catch (UpstreamException e) {
      state = State.FAILED;
      throw e;
    }
  }

  /**
   * The connection reached end of input. Ends a body that runs to the end of the connection
   * ({@link Listener#onEnd}); otherwise the response was cut short.
   *
   * @throws UpstreamException if the response had not ended and does not run to the end of input
   */
  void endOfInput(Listener listener) throws IOException {
    switch (state) {
      case DONE -> {}
      case UNTIL_CLOSE -> end(listener);
      case HEAD -> throw protocolError(started
          ? "the function closed the connection before its response ended (in the response head)"
          : "the function closed the connection before sending a response");
      case LENGTH_BODY -> throw protocolError(
          "the function closed the connection before its response ended ("
              + remaining + " of " + declaredLength + " body bytes missing)");
      case TRAILER -> throw protocolError(
          "the function closed the connection before its response ended (in the trailer section)");
      default -> throw protocolError(
          "the function closed the connection before its response ended (in the chunked body)");
    }
  }

  /** True once any byte of the current response was consumed. */
  boolean started() {
    return started;
  }

  /**
   * After the response ended: whether the connection may carry another request (HTTP/1.1 without
   * {@code Connection: close}, HTTP/1.0 with {@code Connection: keep-alive}; never after a body
   * that ran to the end of the connection, or a response with both {@code Transfer-Encoding} and
   * {@code Content-Length}).
   */
  boolean keepAlive() {
    return state == State.DONE && keepAlive;
  }

  @Override
  public String toString() {
    return "ResponseParser[state=" + state + ", started=" + started + ", headRequest=" + headRequest
        + ", remaining=" + remaining + ", maxHeadBytes=" + maxHeadBytes + "]";
  }

  // ---- lines

  /**
   * Finds the next line end in {@code in}, within what is left of the current section's bound.
   * True when a whole line was read: its content, without the line end, is then {@link #line}
   * from {@link #lineFrom} to {@link #lineTo} (when {@code keep} is false only the length is
   * known: {@code line} is null). False when {@code in} ended first: the partial line is kept
   * (copied only when {@code keep}) for the next call.
   */
  private boolean readLine(ByteBuffer in, boolean keep, String section) throws UpstreamException {
    int from = in.position();
    int available = in.limit() - from;
    int allowed = maxHeadBytes - sectionBytes;
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
      throw protocolError(section + " larger than " + maxHeadBytes + " bytes");
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
      byte[] grown = new byte[Math.min(maxHeadBytes, Math.max(needed, pending.length * 2))];
      System.arraycopy(pending, 0, grown, 0, pendingLength);
      pending = grown;
      pendingView = ByteBuffer.wrap(grown);
    }
    in.get(from, pending, pendingLength, length);
    pendingLength = needed;
  }

  // ---- head

  private void startHead() {
    fields.clear();
    pendingLength = 0;
    partialLineBytes = 0;
    partialEndsWithCr = false;
    sectionBytes = 0;
    headLines = 0;
    status = 0;
    http11 = false;
    declaredLength = -1;
    transferEncoding = false;
    chunked = false;
    connectionClose = false;
    connectionKeepAlive = false;
  }

  private void headLine(Listener listener) throws IOException {
    if (headLines++ == 0) {
      statusLine();
    } else if (lineFrom == lineTo) {
      endOfHead(listener);
    } else {
      fieldLine();
    }
  }

  private void statusLine() throws UpstreamException {
    ByteBuffer b = line;
    int from = lineFrom;
    int length = lineTo - from;
    if (length < 8 || !startsWithHttp1(b, from)
        || (b.get(from + 7) != '1' && b.get(from + 7) != '0')) {
      throw protocolError("the function's status line is not HTTP/1.1 or HTTP/1.0: "
          + excerpt(b, from, lineTo));
    }
    if (length < 12 || b.get(from + 8) != ' ' || !isDigit(b.get(from + 9))
        || !isDigit(b.get(from + 10)) || !isDigit(b.get(from + 11))
        || (length > 12 && b.get(from + 12) != ' ')) {
      throw protocolError("the function's status line has no 3-digit status code: "
          + excerpt(b, from, lineTo));
    }
    int code = (b.get(from + 9) - '0') * 100 + (b.get(from + 10) - '0') * 10
        + (b.get(from + 11) - '0');
    if (code < 100 || code > 599) {
      throw protocolError("the function's status code " + code + " is not in 100-599");
    }
    if (code == 101) {
      throw protocolError("the function switched protocols (101) without being asked to");
    }
    for (int i = from + 13; i < lineTo; i++) {
      if (isControl(b.get(i))) {
        throw protocolError("the function's status line has a control character: "
            + excerpt(b, from, lineTo));
      }
    }
    status = code;
    http11 = b.get(from + 7) == '1';
  }

  private static boolean startsWithHttp1(ByteBuffer b, int from) {
    return b.get(from) == 'H' && b.get(from + 1) == 'T' && b.get(from + 2) == 'T'
        && b.get(from + 3) == 'P' && b.get(from + 4) == '/' && b.get(from + 5) == '1'
        && b.get(from + 6) == '.';
  }

  private void fieldLine() throws UpstreamException {
    ByteBuffer b = line;
    int from = lineFrom;
    int to = lineTo;
    byte first = b.get(from);
    if (first == ' ' || first == '\t') {
      throw protocolError("the function folded a header field over several lines"
          + " (obs-fold), which is not allowed: " + excerpt(b, from, to));
    }
    int colon = from;
    while (colon < to && TCHAR[b.get(colon) & 0xff]) {
      colon++;
    }
    if (colon == to) {
      throw protocolError("the function sent a header line without a colon: "
          + excerpt(b, from, to));
    }
    byte c = b.get(colon);
    if (c == ' ' || c == '\t') {
      throw protocolError("the function sent white space between a header field name and"
          + " its colon: " + excerpt(b, from, to));
    }
    if (c != ':' || colon == from) {
      throw protocolError("the function sent a header field name that is not a token: "
          + excerpt(b, from, to));
    }
    int valueFrom = colon + 1;
    int valueTo = to;
    while (valueFrom < valueTo && isWhite(b.get(valueFrom))) {
      valueFrom++;
    }
    while (valueTo > valueFrom && isWhite(b.get(valueTo - 1))) {
      valueTo--;
    }
    for (int i = valueFrom; i < valueTo; i++) {
      if (isControl(b.get(i))) {
        throw protocolError("the function sent a control character in a header field"
            + " value: " + excerpt(b, from, to));
      }
    }
    String name = latin1(b, from, colon);
    String value = latin1(b, valueFrom, valueTo);
    fields.add(new ResponseHead.Field(name, value));
    if (name.equalsIgnoreCase("Content-Length")) {
      contentLength(value);
    } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
      transferEncoding(value);
    } else if (name.equalsIgnoreCase("Connection")) {
      connectionClose |= listContains(value, "close");
      connectionKeepAlive |= listContains(value, "keep-alive");
    }
  }

  private void contentLength(String value) throws UpstreamException {
    int i = 0;
    int n = value.length();
    while (true) {
      while (i < n && isWhite(value.charAt(i))) {
        i++;
      }
      long length = 0;
      int digitsFrom = i;
      for (; i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9'; i++) {
        int digit = value.charAt(i) - '0';
        if (length > (Long.MAX_VALUE - digit) / 10) {
          throw protocolError(
              "the function's Content-Length is too large: " + quote(value));
        }
        length = length * 10 + digit;
      }
      boolean digits = i > digitsFrom;
      while (i < n && isWhite(value.charAt(i))) {
        i++;
      }
      if (!digits || (i < n && value.charAt(i) != ',')) {
        throw protocolError(
            "the function's Content-Length is not a number: " + quote(value));
      }
      if (declaredLength >= 0 && declaredLength != length) {
        throw protocolError("the function sent conflicting Content-Length values: "
            + declaredLength + " and " + length);
      }
      declaredLength = length;
      if (i == n) {
        return;
      }
      i++;
    }
  }

  private void transferEncoding(String value) {
    transferEncoding = true;
    // Only the last coding of the combined list decides: find this field's last non-empty element.
    int to = value.length();
    while (to > 0) {
      int from = value.lastIndexOf(',', to - 1) + 1;
      int elementFrom = skipWhite(value, from, to);
      int elementTo = trimWhiteEnd(value, elementFrom, to);
      if (elementFrom < elementTo) {
        chunked = elementTo - elementFrom == 7
            && value.regionMatches(true, elementFrom, "chunked", 0, 7);
        return;
      }
      to = from - 1;
    }
  }

  /** Whether a comma-separated list holds {@code token}, compared case-insensitively. */
  private static boolean listContains(String list, String token) {
    int n = list.length();
    int from = 0;
    while (from <= n) {
      int comma = list.indexOf(',', from);
      int to = comma < 0 ? n : comma;
      int elementFrom = skipWhite(list, from, to);
      int elementTo = trimWhiteEnd(list, elementFrom, to);
      if (elementTo - elementFrom == token.length()
          && list.regionMatches(true, elementFrom, token, 0, token.length())) {
        return true;
      }
      from = to + 1;
    }
    return false;
  }

  private static int skipWhite(String s, int from, int to) {
    while (from < to && isWhite(s.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimWhiteEnd(String s, int from, int to) {
    while (to > from && isWhite(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  private void endOfHead(Listener listener) throws IOException {
    if (status < 200) {
      startHead(); // an interim response (100 Continue, 103 Early Hints): the final head follows
      return;
    }
    boolean persistent = http11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    if (transferEncoding && (declaredLength >= 0 || !http11)) {
      persistent = false; // framing a recipient cannot be sure the sender meant (RFC 9112 6.1, 6.3)
    }
    long headLength;
    State next;
    if (headRequest || status == 204 || status == 304) {
      headLength = 0;
      next = State.DONE;
    } else if (transferEncoding) {
      headLength = -1;
      next = chunked ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
    } else if (declaredLength >= 0) {
      headLength = declaredLength;
      next = declaredLength == 0 ? State.DONE : State.LENGTH_BODY;
    } else {
      headLength = -1;
      next = State.UNTIL_CLOSE;
    }
    keepAlive = persistent && next != State.UNTIL_CLOSE;
    remaining = headLength;
    sectionBytes = 0;
    state = next == State.DONE ? State.HEAD : next;
    listener.onHead(new ResponseHead(status, fields, headLength));
    if (next == State.DONE) {
      end(listener);
    }
  }

  // ---- body

  /** Hands the next piece of the body to the listener; false when there was none. */
  private boolean deliver(ByteBuffer in, Listener listener) throws IOException {
    int from = in.position();
    int available = in.limit() - from;
    int length = state == State.UNTIL_CLOSE ? available : (int) Math.min(available, remaining);
    if (length == 0) {
      return false;
    }
    in.position(from + length);
    remaining -= length;
    listener.onData(in.slice(from, length));
    return true;
  }

  private void chunkSizeLine() throws UpstreamException {
    ByteBuffer b = line;
    int i = lineFrom;
    long size = 0;
    for (; i < lineTo; i++) {
      int digit = Character.digit(b.get(i), 16);
      if (digit < 0) {
        break;
      }
      if (i - lineFrom == MAX_CHUNK_SIZE_DIGITS) {
        throw protocolError("the function's chunk size has more than "
            + MAX_CHUNK_SIZE_DIGITS + " hex digits: " + excerpt(b, lineFrom, lineTo));
      }
      size = size << 4 | digit;
    }
    int digitsTo = i;
    while (i < lineTo && isWhite(b.get(i))) {
      i++;
    }
    if (digitsTo == lineFrom || (i < lineTo && b.get(i) != ';')) {
      throw protocolError("the function sent an invalid chunk-size line: "
          + excerpt(b, lineFrom, lineTo));
    }
    sectionBytes = 0;
    if (size == 0) {
      state = State.TRAILER;
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
  }

  private void chunkDataEnd(byte b, boolean crAllowed) throws UpstreamException {
    if (b == LF) {
      state = State.CHUNK_SIZE;
    } else if (b == CR && crAllowed) {
      state = State.CHUNK_DATA_END_LF;
    } else {
      throw protocolError("the function's chunk data is not followed by a line end"
          + " (found " + escape(b) + "): the chunk size does not match the data");
    }
  }

  private void end(Listener listener) throws IOException {
    state = State.DONE;
    listener.onEnd();
  }

  // ---- bytes

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static boolean isWhite(int c) {
    return c == ' ' || c == '\t';
  }

  /** Control characters that may not appear in a field value or reason phrase (HTAB may). */
  private static boolean isControl(byte b) {
    return (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
  }

  private static String latin1(ByteBuffer b, int from, int to) {
    if (b.hasArray()) {
      return new String(b.array(), b.arrayOffset() + from, to - from, StandardCharsets.ISO_8859_1);
    }
    byte[] bytes = new byte[to - from];
    b.get(from, bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** A quoted, escaped, shortened piece of untrusted input for an exception message. */
  private static String excerpt(ByteBuffer b, int from, int to) {
    StringBuilder s = new StringBuilder("\"");
    int end = Math.min(to, from + EXCERPT_CHARS);
    for (int i = from; i < end; i++) {
      s.append(escape(b.get(i)));
    }
    return s.append(to > end ? "...\"" : "\"").toString();
  }

  private static String quote(String value) {
    return excerpt(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)), 0, value.length());
  }

  private static UpstreamException protocolError(String message) {
    return new UpstreamException(UpstreamException.Kind.PROTOCOL_ERROR, message);
  }

  private static String escape(byte b) {
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
