package dev.faas4j.core.internal.http;

import static dev.faas4j.core.internal.http.ResponseLineReader.CR;
import static dev.faas4j.core.internal.http.ResponseLineReader.LF;
import static dev.faas4j.core.internal.http.ResponseLineReader.escape;
import static dev.faas4j.core.internal.http.ResponseLineReader.excerpt;
import static dev.faas4j.core.internal.http.ResponseLineReader.isWhite;
import static dev.faas4j.core.internal.http.ResponseLineReader.protocolError;

import java.io.IOException;
import java.nio.ByteBuffer;

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
 * <p>This class frames the message (where the body ends: a length, chunks, or the end of the
 * connection; whether the connection may carry another request) and reads the chunked framing;
 * {@link ResponseLineReader} finds the lines and {@link ResponseHeadParser} reads the head's.
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

  private static final int MAX_CHUNK_SIZE_DIGITS = 15;

  private final int maxHeadBytes;
  private final ResponseLineReader lines;
  private final ResponseHeadParser head;

  private State state;
  private boolean headRequest;
  private boolean started;
  private boolean keepAlive;
  private long remaining;

  /**
   * @param maxHeadBytes the most a response head (status line and fields, or a chunk-size line, or
   *     the trailer section) may take; more is a protocol error
   */
  ResponseParser(int maxHeadBytes) {
    if (maxHeadBytes < 1) {
      throw new IllegalArgumentException("maxHeadBytes must be positive, not " + maxHeadBytes);
    }
    this.maxHeadBytes = maxHeadBytes;
    this.lines = new ResponseLineReader(maxHeadBytes);
    this.head = new ResponseHeadParser(lines);
    reset(false);
  }

  /**
   * Prepares for the response to a new request.
   *
   * @param headRequest true when the request was {@code HEAD}: its response has no body whatever
   *     its fields say
   */
  void reset(boolean headRequest) {
    reset(headRequest, false);
  }

  /**
   * Prepares for the response to a new request that may ask to switch protocols: with {@code
   * upgrade}, a 101 head is the final one; the parser reports it with a length of -1 and ends
   * there, leaving whatever follows it in the buffer (the new protocol's bytes) to the caller.
   */
  void reset(boolean headRequest, boolean upgrade) {
    head.upgradeRequested = upgrade;
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
            if (lines.readLine(in, true, "response head") && head.line()) {
              endOfHead(listener);
            }
          }
          case LENGTH_BODY -> {
            if (deliver(in, listener) && remaining == 0) {
              end(listener);
            }
          }
          case CHUNK_SIZE -> {
            if (lines.readLine(in, true, "chunk-size line")) {
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
            if (lines.readLine(in, false, "trailer section") && lines.lineIsEmpty()) {
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
              + remaining + " of " + head.declaredLength + " body bytes missing)");
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


  /** Starts reading a head: a new section of lines, and no field seen yet. */
  private void startHead() {
    lines.reset();
    head.start();
  }

  // ---- framing

  /** The head ended: decides how the body is framed, and whether the connection stays open. */
  private void endOfHead(Listener listener) throws IOException {
    int status = head.status;
    boolean http11 = head.http11;
    long declaredLength = head.declaredLength;
    boolean transferEncoding = head.transferEncoding;
    if (status == 101) { // only when asked for (the head parser refuses it otherwise)
      keepAlive = false;
      lines.newSection();
      state = State.DONE;
      listener.onHead(head.head(-1));
      return;
    }
    if (status < 200) {
      startHead(); // an interim response (100 Continue, 103 Early Hints): the final head follows
      return;
    }
    boolean persistent =
        http11 ? !head.connectionClose : head.connectionKeepAlive && !head.connectionClose;
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
      next = head.chunked ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
    } else if (declaredLength >= 0) {
      headLength = declaredLength;
      next = declaredLength == 0 ? State.DONE : State.LENGTH_BODY;
    } else {
      headLength = -1;
      next = State.UNTIL_CLOSE;
    }
    keepAlive = persistent && next != State.UNTIL_CLOSE;
    remaining = headLength;
    lines.newSection();
    state = next == State.DONE ? State.HEAD : next;
    listener.onHead(head.head(headLength));
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
    ByteBuffer b = lines.line;
    int lineFrom = lines.lineFrom;
    int lineTo = lines.lineTo;
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
    lines.newSection();
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
}
