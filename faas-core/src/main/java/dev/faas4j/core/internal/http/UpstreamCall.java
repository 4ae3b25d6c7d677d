package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One request sent upstream by {@link UpstreamClient}, from its head to the end of the response.
 *
 * <p>Three parties touch a call. The thread that {@link UpstreamClient#start started} it (the
 * servlet container's) writes the head; the body is {@link #offer offered} by whoever reads it from
 * the client: written straight to the socket while the socket takes it, waiting when {@link
 * #WINDOW} bytes are already queued (a reader that must not wait asks {@link #hasRoomFor} first and
 * is called back by {@link #whenRoomFor}). The connection's I/O thread reads the response and hands it
 * to the {@link Handler}, and writes queued bytes when the socket has room again. The handler
 * {@link #grant grants} read-ahead back as it passes the answer on, and may {@link #abort} the call
 * from any thread.
 *
 * <p>The request bytes are written under this call's lock; the handler is always called without
 * it, so the handler may take its own lock and call back in. The request leg is the superclass's,
 * {@link UpstreamRequestWriter}; this class has the response leg and the call's life cycle.
 */
public final class UpstreamCall extends UpstreamRequestWriter implements ResponseParser.Listener {

  /** What receives the response. Called on the I/O thread, except {@link #onFailure}: any thread. */
  public interface Handler extends ResponseParser.Listener {
    /**
     * The call failed before the response ended: the connection could not be opened, the upstream
     * stayed silent too long, broke the protocol, or closed the connection ({@link
     * UpstreamException#kind()} says which). Called at most once, never after {@link #onEnd}.
     */
    void onFailure(UpstreamException cause);
  }

  /** Bytes that may wait in either direction: request body not yet written, answer not yet granted. */
  public static final int WINDOW = 64 * 1024;


  final InetSocketAddress address;
  final Handler handler;
  final boolean headRequest;
  /** Safe to send again on a new connection when a reused one closed before any answer. */
  final boolean retryable;
  private final UpstreamClient client;

  private boolean retried;
  private UpstreamConnection detached;
  /** Answer bytes handed to the handler and not granted back yet. */
  private int unacknowledged;
  private boolean readPaused;
  /** The handler's onEnd was called (or is running). */
  private boolean answered;

  /** When the current period of waiting on the client began; {@link ClientPace}'s, on the sweep. */
  volatile long clientWaitSince = ClientPace.NOT_WAITING;
  /** {@link #clientProgress} when that period began. */
  volatile long clientProgressMark;

  UpstreamCall(
      UpstreamClient client,
      InetSocketAddress address,
      byte[] head,
      boolean headRequest,
      boolean hasBody,
      boolean chunked,
      boolean retryable,
      long timeoutNanos,
      Handler handler) {
    super(head, hasBody, chunked, timeoutNanos);
    this.client = client;
    this.address = address;
    this.headRequest = headRequest;
    this.retryable = retryable && !hasBody;
    this.handler = handler;
  }

  @Override
  void failed(IOException failure) {
    client.failed(this, failure);
  }


  // ---------------------------------------------------------------------------------------------
  // the response: the I/O thread

  @Override
  public void onHead(ResponseHead responseHead) throws IOException {
    handler.onHead(responseHead);
  }

  @Override
  public void onData(ByteBuffer piece) throws IOException {
    boolean pause;
    lock.lock();
    try {
      unacknowledged += piece.remaining();
      pause = unacknowledged >= WINDOW && !readPaused;
      readPaused |= pause;
    } finally {
      lock.unlock();
    }
    handler.onData(piece); // grants from inside this call are seen below, under the lock
    if (pause) {
      updateReadInterest();
    }
  }

  @Override
  public void onEnd() throws IOException {
    lock.lock();
    try {
      answered = true; // from now on a failure (say, of the body's writer) is not reported
    } finally {
      lock.unlock();
    }
    handler.onEnd();
  }

  /** Whether the handler was told the answer ended; then it must never hear of a failure. */
  boolean answered() {
    lock.lock();
    try {
      return answered;
    } finally {
      lock.unlock();
    }
  }

  /** The handler passed {@code bytes} of the answer on: the upstream may send that much more. */
  public void grant(int bytes) {
    lock.lock();
    try {
      unacknowledged = Math.max(0, unacknowledged - bytes);
      clientProgress += bytes;
      if (!readPaused || unacknowledged >= WINDOW) {
        return;
      }
      readPaused = false;
      deadline = System.nanoTime() + timeoutNanos; // the silence was the client's, not the upstream's
    } finally {
      lock.unlock();
    }
    updateReadInterest();
  }

  /**
   * Makes the connection's read interest match {@link #readPaused}. Under the lock, so that a pause
   * and a resume decided on two threads reach the connection in the order they were decided.
   */
  private void updateReadInterest() {
    lock.lock();
    try {
      if (connection != null) {
        connection.pauseReading(readPaused);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * While the upstream's silence is not its fault, the bytes the client has moved so far; -1
   * otherwise. The silence is the client's when the answer waits for the handler (the client reads
   * slowly), or when the upstream took every byte of a body the client has not finished sending.
   * The silence timeout does not run then; {@link ClientPace} watches the client instead.
   */
  long clientProgressWhileWaiting() {
    lock.lock();
    try {
      return readPaused || awaitingClientBodyLocked() ? clientProgress : -1;
    } finally {
      lock.unlock();
    }
  }

  /** Ends the call early from any thread: its connection is closed, not reused. */
  public void abort() {
    client.abort(this);
  }

  // ---------------------------------------------------------------------------------------------
  // life cycle, driven by UpstreamClient

  /**
   * Binds the call to a connection that is ready or being opened.
   *
   * @return false if the call is over already (aborted before it got a connection): the connection
   *     is not bound and stays the caller's
   */
  boolean attach(UpstreamConnection on) {
    lock.lock();
    try {
      if (done) {
        return false;
      }
      connection = on;
      deadline = System.nanoTime() + timeoutNanos;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the call is running on {@code on} now (not over, not moved to another connection). */
  boolean isOn(UpstreamConnection on) {
    lock.lock();
    try {
      return !done && connection == on;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the call over and detaches it from its connection (see {@link #detached()}).
   *
   * @return false if it already was over
   */
  boolean end() {
    Runnable waiting;
    lock.lock();
    try {
      if (done) {
        return false;
      }
      done = true;
      detached = connection;
      connection = null;
      waiting = dropRequestLocked();
    } finally {
      lock.unlock();
    }
    if (waiting != null) {
      waiting.run(); // a non-blocking reader learns the call is over from its next offer
    }
    return true;
  }

  /** The connection the call had when it {@link #end ended}, or null if it was waiting for one. */
  UpstreamConnection detached() {
    lock.lock();
    try {
      return detached;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Prepares a retry on a new connection after a reused one closed before answering.
   *
   * @return false when the call may not be retried (it has a body, was retried, or is over)
   */
  boolean rewindForRetry() {
    lock.lock();
    try {
      if (done || !retryable || retried) {
        return false;
      }
      retried = true;
      connection = null;
      requeueHeadLocked();
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean isDone() {
    lock.lock();
    try {
      return done;
    } finally {
      lock.unlock();
    }
  }
}
