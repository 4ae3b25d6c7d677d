package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request leg of an {@link UpstreamCall} ({@code proxyToServerRequest}): the head and the body
 * queued in a window of {@link UpstreamCall#WINDOW} bytes, framed in chunks when the body's length
 * is not known, and written to the call's connection as far as its socket takes it, by the thread
 * that offers the bytes or by the I/O thread when the socket has room again.
 *
 * <p>A superclass rather than a part, so that a call stays one object (public only so that its
 * public methods are called directly on a call, with no bridge in between). Its state is guarded by
 * {@link #lock}, which the call's response side and life cycle share; {@link #done} and {@link
 * #connection} belong to the life cycle ({@link UpstreamCall}), and are read here.
 */
public abstract sealed class UpstreamRequestWriter permits UpstreamCall {

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  final long timeoutNanos;
  private final byte[] head;
  private final boolean chunked;

  final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
  private int outboundBytes;
  /** Run once when a piece of the wanted size fits the window again (or the call ends). */
  private Runnable whenRoom;
  private int whenRoomFor;
  private boolean bodyEnded;
  /** The call is over; set by its life cycle. */
  boolean done;
  /** Where the request goes, once the call has a connection; set by its life cycle. */
  UpstreamConnection connection;

  /** When the upstream must have said something next; refreshed by every read and write. */
  volatile long deadline;

  /**
   * Bytes the client moved: body bytes it sent, answer bytes it took. Under the lock; the measure
   * of {@link ClientPace}.
   */
  long clientProgress;

  UpstreamRequestWriter(byte[] head, boolean hasBody, boolean chunked, long timeoutNanos) {
    this.head = head;
    this.bodyEnded = !hasBody;
    this.chunked = chunked;
    this.timeoutNanos = timeoutNanos;
    outbound.add(ByteBuffer.wrap(head));
    outboundBytes = head.length;
  }

  /** A write of the request failed on the offering thread: the call fails with it. */
  abstract void failed(IOException failure);

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
      while (!done && outboundBytes > 0 && outboundBytes + length > UpstreamCall.WINDOW) {
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
      failed(failure);
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
      failed(failure);
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
    return done || outboundBytes == 0 || outboundBytes + length <= UpstreamCall.WINDOW;
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

  /** After the response ended: whether the whole request went out, so the connection is clean. */
  boolean requestSent() {
    lock.lock();
    try {
      return bodyEnded && outbound.isEmpty();
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

  /** With the lock held: whether the upstream has the whole body sent so far and waits for more. */
  boolean awaitingClientBodyLocked() {
    return !bodyEnded && outbound.isEmpty();
  }

  /**
   * With the lock held, as the call ends: drops what was not written and wakes a waiting writer.
   *
   * @return the room callback a non-blocking reader left, to run once the lock is released
   */
  Runnable dropRequestLocked() {
    outbound.clear();
    outboundBytes = 0;
    room.signalAll();
    Runnable waiting = whenRoom;
    whenRoom = null;
    return waiting;
  }

  /** With the lock held: queues the head again, for a new connection. */
  void requeueHeadLocked() {
    outbound.clear();
    outbound.add(ByteBuffer.wrap(head));
    outboundBytes = head.length;
  }
}
