package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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
 * it, so the handler may take its own lock and call back in.
 */
public final class UpstreamCall implements ResponseParser.Listener {

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

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  final InetSocketAddress address;
  final Handler handler;
  final boolean headRequest;
  /** Safe to send again on a new connection when a reused one closed before any answer. */
  final boolean retryable;
  final long timeoutNanos;
  private final byte[] head;
  private final boolean chunked;
  private final UpstreamClient client;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
  private int outboundBytes;
  /** Run once when a piece of the wanted size fits the window again (or the call ends). */
  private Runnable whenRoom;
  private int whenRoomFor;
  private boolean bodyEnded;
  private boolean done;
  private boolean retried;
  private UpstreamConnection connection;
  private UpstreamConnection detached;
  /** Answer bytes handed to the handler and not granted back yet. */
  private int unacknowledged;
  private boolean readPaused;
  /** The handler's onEnd was called (or is running). */
  private boolean answered;

  /** When the upstream must have said something next; refreshed by every read and write. */
  volatile long deadline;

  /**
   * Bytes the client moved: body bytes it sent, answer bytes it took. Under the lock; the measure
   * of {@link ClientPace}.
   */
  private long clientProgress;
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
    this.client = client;
    this.address = address;
    this.head = head;
    this.headRequest = headRequest;
    this.bodyEnded = !hasBody;
    this.chunked = chunked;
    this.retryable = retryable && !hasBody;
    this.timeoutNanos = timeoutNanos;
    this.handler = handler;
    outbound.add(ByteBuffer.wrap(head));
    outboundBytes = head.length;
  }

  // ---------------------------------------------------------------------------------------------
  // the request: the starting thread, and the I/O thread when the socket has room

  /**
   * Sends a piece of the request body, waiting while the window is full. If the upstream takes
   * none of it for the call's whole timeout, the call fails instead (the wait ends either way).
   *
   * @return false if the call is over (answered, failed or aborted) and the rest is not wanted
   * @throws InterruptedIOException if the waiting thread is interrupted
   */
  public boolean offer(byte[] bytes, int offset, int length) throws InterruptedIOException {
    if (length == 0) {
      return true;
    }
    ByteBuffer piece;
    if (chunked) {
      byte[] size = (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      piece = ByteBuffer.allocate(size.length + length + 2);
      piece.put(size).put(bytes, offset, length).put(CRLF).flip();
    } else {
      byte[] copy = new byte[length];
      System.arraycopy(bytes, offset, copy, 0, length);
      piece = ByteBuffer.wrap(copy);
    }
    IOException failure;
    boolean stalled = false;
    lock.lock();
    try {
      while (!done && outboundBytes > 0 && outboundBytes + length > WINDOW) {
        try {
          if (!room.await(timeoutNanos, TimeUnit.NANOSECONDS) && !done) {
            // the upstream took none of the body for a whole timeout: queueing more would only
            // grow memory (the sweep does not count time the answer waits for this client)
            stalled = true;
            break;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while forwarding the request body");
        }
      }
      if (done) {
        return false;
      }
      if (stalled) {
        failure = new UpstreamException(
            UpstreamException.Kind.RESPONSE_TIMEOUT, "the upstream took none of the request body in time");
      } else {
        clientProgress += length;
        outbound.add(piece);
        outboundBytes += piece.remaining();
        failure = flushLocked();
      }
    } finally {
      lock.unlock();
    }
    if (failure != null) {
      client.failed(this, failure);
      return false;
    }
    return true;
  }

  /** Marks the end of the request body. */
  public void endBody() {
    IOException failure;
    lock.lock();
    try {
      if (done || bodyEnded) {
        return;
      }
      bodyEnded = true;
      if (chunked) {
        outbound.add(ByteBuffer.wrap(LAST_CHUNK));
        outboundBytes += LAST_CHUNK.length;
      }
      failure = flushLocked();
    } finally {
      lock.unlock();
    }
    if (failure != null) {
      client.failed(this, failure);
    }
  }

  /** Whether {@link #offer} would take {@code length} bytes now without waiting. */
  public boolean hasRoomFor(int length) {
    lock.lock();
    try {
      return fits(length);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code action} once {@code length} bytes fit the window (at once if they do now), or
   * once the call is over, on whichever thread frees the room. For a reader that must not block.
   */
  public void whenRoomFor(int length, Runnable action) {
    lock.lock();
    try {
      if (!fits(length)) {
        whenRoom = action;
        whenRoomFor = length;
        return;
      }
    } finally {
      lock.unlock();
    }
    action.run();
  }

  private boolean fits(int length) {
    return done || outboundBytes == 0 || outboundBytes + length <= WINDOW;
  }

  /** With the lock held: takes the room callback if its condition holds now. */
  private Runnable takeWhenRoom() {
    Runnable action = whenRoom;
    if (action == null || !fits(whenRoomFor)) {
      return null;
    }
    whenRoom = null;
    return action;
  }

  /** The I/O thread or the starting thread: writes what is queued as far as the socket takes it. */
  IOException flush() {
    Runnable roomFreed;
    IOException failure;
    lock.lock();
    try {
      failure = flushLocked();
      roomFreed = takeWhenRoom();
    } finally {
      lock.unlock();
    }
    if (roomFreed != null) {
      roomFreed.run();
    }
    return failure;
  }

  private IOException flushLocked() {
    UpstreamConnection on = connection;
    if (done || on == null || !on.isConnected()) {
      return null; // written once the connection is there
    }
    try {
      int wrote = 0;
      while (!outbound.isEmpty()) {
        ByteBuffer next = outbound.peek();
        int before = next.remaining();
        on.write(next);
        wrote += before - next.remaining();
        outboundBytes -= before - next.remaining();
        if (next.hasRemaining()) {
          on.wantWrite(true);
          break;
        }
        outbound.poll();
      }
      if (outbound.isEmpty()) {
        on.wantWrite(false);
      }
      if (wrote > 0) {
        deadline = System.nanoTime() + timeoutNanos;
        room.signalAll();
      }
      return null;
    } catch (IOException e) {
      return e;
    }
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
      return readPaused || (!bodyEnded && outbound.isEmpty()) ? clientProgress : -1;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the client has not sent its whole request body yet. */
  boolean clientBodyPending() {
    lock.lock();
    try {
      return !bodyEnded;
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
      outbound.clear();
      outboundBytes = 0;
      room.signalAll();
      waiting = whenRoom;
      whenRoom = null;
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

  /** After the response ended: whether the whole request went out, so the connection is clean. */
  boolean requestSent() {
    lock.lock();
    try {
      return bodyEnded && outbound.isEmpty();
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
      outbound.clear();
      outbound.add(ByteBuffer.wrap(head));
      outboundBytes = head.length;
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
