package dev.faas4j.core.internal.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads HTTP/1.x responses from one upstream connection, incrementally, strictly.
 *
 * <p>SKELETON: the contract below is fixed; the implementation is to be written.
 *
 * <p>The connection's reader feeds bytes as they arrive to {@link #parse}; the parser reports the
 * final response head, the body in pieces (chunked framing removed) and the end through a {@link
 * Listener}. It never buffers body bytes: each piece is a view of the caller's buffer, valid only
 * during the call. Anything malformed throws {@link ProtocolException}; the caller then closes the
 * connection (a response that cannot be framed with certainty must never let the next response on
 * the same connection be misread).
 *
 * <p>Not thread-safe: one connection's reader uses it.
 */
final class ResponseParser {

  /** What the parser found; called on the thread that calls {@link #parse}. */
  interface Listener {
    /** The final (non-1xx) head; called once per response, before any body. */
    void onHead(ResponseHead head) throws IOException;

    /** A piece of the body; the buffer is only valid during the call. Never empty. */
    void onData(ByteBuffer piece) throws IOException;

    /** The response ended; called once, after the head and the whole body. */
    void onEnd() throws IOException;
  }

  /** The function's connection sent something that is not a valid HTTP/1.x response. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
      super(message);
    }
  }

  /**
   * @param maxHeadBytes the most a response head (status line and fields, or a chunk-size line, or
   *     the trailer section) may take; more is a {@link ProtocolException}
   */
  ResponseParser(int maxHeadBytes) {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * Prepares for the response to a new request.
   *
   * @param headRequest true when the request was {@code HEAD}: its response has no body whatever
   *     its fields say
   */
  void reset(boolean headRequest) {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * Consumes bytes from {@code in}, reporting to {@code listener}. Returns when {@code in} is empty
   * or when the response ended; in the latter case any bytes still in {@code in} belong to no
   * request (the caller treats them as a protocol violation).
   *
   * @return true once the response has ended ({@link Listener#onEnd} was called)
   * @throws ProtocolException if the bytes are not a valid response
   * @throws IOException what the listener threw
   */
  boolean parse(ByteBuffer in, Listener listener) throws IOException {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * The connection reached end of input. Ends a body that runs to the end of the connection
   * ({@link Listener#onEnd}); otherwise the response was cut short.
   *
   * @throws ProtocolException if the response had not ended and does not run to the end of input
   */
  void endOfInput(Listener listener) throws IOException {
    throw new UnsupportedOperationException("not written yet");
  }

  /** True once any byte of the current response was consumed. */
  boolean started() {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * After the response ended: whether the connection may carry another request (HTTP/1.1 without
   * {@code Connection: close}, HTTP/1.0 with {@code Connection: keep-alive}; never after a body
   * that ran to the end of the connection, or a response with both {@code Transfer-Encoding} and
   * {@code Content-Length}).
   */
  boolean keepAlive() {
    throw new UnsupportedOperationException("not written yet");
  }
}
