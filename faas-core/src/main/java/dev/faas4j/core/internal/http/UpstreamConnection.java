package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One keep-alive connection to an upstream address, owned by one {@link UpstreamLoop} of an
 * {@link UpstreamClient}. It carries at most one {@link UpstreamCall} at a time.
 *
 * <p>The I/O thread does all reading and reacts to the selector; request bytes are written by
 * whichever thread holds the call's lock (see {@link UpstreamCall}). Interest in the selector is
 * derived from three flags under this object's monitor, so any thread may change them.
 */
final class UpstreamConnection {

  final UpstreamLoop loop;
  final InetSocketAddress address;
  final SocketChannel channel;
  final ResponseParser parser;

  /** Set by the I/O thread when the channel is registered. */
  private SelectionKey key;
  private volatile boolean connected;
  /** The call this connection carries now, or null while it is idle in the pool. */
  volatile UpstreamCall call;
  /** True once it has carried a call: a failure before any answer may be a stale keep-alive. */
  boolean reused;
  /** Pool bookkeeping, guarded by the pool's lock. */
  long idleSince;
  /** Closed and no longer counted; guarded by the pool's lock. */
  boolean discarded;
  /** Until when the TCP connect may take. */
  final long connectDeadline;

  private boolean wantWrite;
  private boolean readPaused;

  UpstreamConnection(
      UpstreamLoop loop,
      InetSocketAddress address,
      SocketChannel channel,
      int maxHeadBytes,
      long connectDeadline) {
    this.loop = loop;
    this.address = address;
    this.channel = channel;
    this.parser = new ResponseParser(maxHeadBytes);
    this.connectDeadline = connectDeadline;
  }

  boolean isConnected() {
    return connected;
  }

  void write(ByteBuffer bytes) throws IOException {
    channel.write(bytes);
  }

  /** I/O thread: the channel is registered with the loop's selector. */
  synchronized void registered(SelectionKey selectionKey) {
    this.key = selectionKey;
    updateInterest();
  }

  /** I/O thread: the TCP connection is established. */
  void connected() {
    synchronized (this) {
      connected = true;
      updateInterest();
    }
  }

  synchronized void wantWrite(boolean on) {
    if (wantWrite != on) {
      wantWrite = on;
      updateInterest();
    }
  }

  synchronized void pauseReading(boolean paused) {
    if (readPaused != paused) {
      readPaused = paused;
      updateInterest();
    }
  }

  /** A connection going back to the pool reads again (to notice the peer closing it). */
  synchronized void resetFlags() {
    wantWrite = false;
    readPaused = false;
    updateInterest();
  }

  private void updateInterest() {
    if (key == null || !key.isValid()) {
      return;
    }
    int ops =
        !connected
            ? SelectionKey.OP_CONNECT
            : (readPaused ? 0 : SelectionKey.OP_READ) | (wantWrite ? SelectionKey.OP_WRITE : 0);
    try {
      if (key.interestOps() != ops) {
        key.interestOps(ops);
        loop.wakeupUnlessCurrent();
      }
    } catch (CancelledKeyException e) {
      // closed meanwhile: nothing to wait for
    }
  }

  /** Closes the channel; the selector forgets it on its next pass. Idempotent, any thread. */
  void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a socket: nothing to do about a failure
    }
  }

  @Override
  public String toString() {
    return "upstream connection to " + address + (call == null ? " (idle)" : " (busy)");
  }
}
