package dev.faas4j.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body as the proxy reads it: counts bytes against the body limit and marks
 * every failure with what it means, so that "the client went away" (abort) and "the body is too
 * large" (413) are told apart. Not thread-safe: one request, one thread.
 */
final class ClientBodyInputStream extends InputStream {

  /** The body grew beyond the limit while being read (chunked, or no declared length). */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long limit) {
      super("request body is larger than the limit of " + limit + " bytes");
    }
  }

  /** Reading the client's body failed: the client disconnected or sent a malformed body. */
  static final class ClientReadException extends IOException {
    private static final long serialVersionUID = 1L;

    ClientReadException(IOException cause) {
      super("reading the request body from the client failed: " + cause.getMessage(), cause);
    }
  }

  private final InputStream clientToProxyBody;
  private final long limit;
  private long count;

  ClientBodyInputStream(InputStream clientToProxyBody, long limit) {
    this.clientToProxyBody = clientToProxyBody;
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = clientToProxyBody.read();
    } catch (IOException e) {
      throw new ClientReadException(e);
    }
    if (b >= 0) {
      counted(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n;
    try {
      n = clientToProxyBody.read(buffer, offset, length);
    } catch (IOException e) {
      throw new ClientReadException(e);
    }
    if (n > 0) {
      counted(n);
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    try {
      return clientToProxyBody.available();
    } catch (IOException e) {
      throw new ClientReadException(e);
    }
  }

  @Override
  public void close() {
    // The servlet container owns the client's stream; closing it here would be premature.
  }

  private void counted(int n) throws BodyTooLargeException {
    count += n;
    if (count > limit) {
      throw new BodyTooLargeException(limit);
    }
  }
}
