package dev.faas4j.core.internal.proxy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * The client's request body on its way upstream, as HttpClient's non-blocking producer.
 *
 * <p>Two threads meet here. The servlet container's thread reads the client's body with blocking
 * reads and {@link #offer offers} it in pieces; HttpClient's I/O thread {@link #produce takes}
 * them when the upstream socket can accept more. At most {@link #WINDOW} bytes wait in between:
 * a full window blocks the container's thread, so a fast client cannot make the proxy buffer a
 * body the function reads slowly. Blocking the container's thread (not the I/O thread) is the
 * point: the I/O thread serves every upstream connection and must never wait.
 */
final class ClientBodyProducer implements AsyncEntityProducer {

  /** Bytes of body that may wait between the client and the upstream connection. */
  static final int WINDOW = 64 * 1024;

  private final long contentLength;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition roomFreed = lock.newCondition();
  private final ArrayDeque<ByteBuffer> pieces = new ArrayDeque<>();
  private int waitingBytes;
  private boolean ended;
  /** Set when the exchange ended or failed: nothing more is taken, offers are refused. */
  private boolean closed;
  /** The end of the body was sent upstream. */
  private boolean streamEnded;
  private DataStreamChannel channel;

  /**
   * @param contentLength the length the client declared, or -1 to send the body chunked
   */
  ClientBodyProducer(long contentLength) {
    this.contentLength = contentLength;
  }

  /**
   * Hands a piece of the body to the upstream side, waiting while the window is full.
   *
   * @return false if the exchange is over and the rest of the body is not wanted
   * @throws InterruptedIOException if the waiting thread is interrupted
   */
  boolean offer(byte[] bytes, int offset, int length) throws InterruptedIOException {
    DataStreamChannel toWake;
    lock.lock();
    try {
      while (!closed && waitingBytes > 0 && waitingBytes + length > WINDOW) {
        try {
          roomFreed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while forwarding the request body");
        }
      }
      if (closed) {
        return false;
      }
      byte[] copy = new byte[length];
      System.arraycopy(bytes, offset, copy, 0, length);
      pieces.add(ByteBuffer.wrap(copy));
      waitingBytes += length;
      toWake = channel;
    } finally {
      lock.unlock();
    }
    if (toWake != null) {
      toWake.requestOutput();
    }
    return true;
  }

  /** Marks the end of the client's body. */
  void end() {
    DataStreamChannel toWake;
    lock.lock();
    try {
      ended = true;
      toWake = channel;
    } finally {
      lock.unlock();
    }
    if (toWake != null) {
      toWake.requestOutput();
    }
  }

  /**
   * Ends the hand-over: the exchange is over. A waiting {@link #offer} returns false. If the body
   * was not sent whole, the next {@link #produce} fails the upstream exchange, so HttpClient closes
   * the connection instead of leaving a half-sent request on it (also when the connection was still
   * being opened, which cancelling the exchange would not reach).
   */
  void close() {
    close(true);
  }

  private void close(boolean wakeChannel) {
    DataStreamChannel toWake;
    lock.lock();
    try {
      closed = true;
      pieces.clear();
      waitingBytes = 0;
      roomFreed.signalAll();
      toWake = wakeChannel && !streamEnded ? channel : null;
    } finally {
      lock.unlock();
    }
    if (toWake != null) {
      toWake.requestOutput();
    }
  }

  @Override
  public int available() {
    lock.lock();
    try {
      return waitingBytes > 0 ? waitingBytes : (ended || closed ? 1 : 0);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void produce(DataStreamChannel dataStreamChannel) throws IOException {
    lock.lock();
    try {
      channel = dataStreamChannel;
      if (closed && !streamEnded) {
        throw new IOException("the request body was abandoned before it was sent whole");
      }
      while (!closed) {
        ByteBuffer piece = pieces.peek();
        if (piece == null) {
          if (ended) {
            closed = true;
            streamEnded = true;
            dataStreamChannel.endStream();
          }
          return;
        }
        int written = dataStreamChannel.write(piece);
        waitingBytes -= written;
        if (written > 0) {
          roomFreed.signalAll();
        }
        if (piece.hasRemaining()) {
          return; // the socket is full; HttpClient calls produce again when it drains
        }
        pieces.poll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void failed(Exception cause) {
    close(false); // HttpClient ends the exchange itself
  }

  @Override
  public void releaseResources() {
    close(false);
  }

  @Override
  public boolean isRepeatable() {
    return false; // the client's body is read once: a failed exchange is never retried
  }

  @Override
  public long getContentLength() {
    return contentLength;
  }

  @Override
  public String getContentType() {
    return null; // the client's Content-Type header is forwarded as it is
  }

  @Override
  public String getContentEncoding() {
    return null;
  }

  @Override
  public boolean isChunked() {
    return contentLength < 0;
  }

  @Override
  public Set<String> getTrailerNames() {
    return null;
  }
}
