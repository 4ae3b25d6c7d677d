package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small non-blocking HTTP/1.1 client for a proxy's upstream leg: keep-alive connections to
 * upstream addresses, pooled, driven by a few selector threads.
 *
 * <p>Why not a general-purpose client: the upstream is always close by (loopback, or a container on
 * the host's bridge), requests are forwarded as the server parsed them, and the cost that matters
 * is the hand-off per request. Here the thread that has the request writes it to a pooled socket
 * itself; only the answer is read on the I/O thread, which hands it straight to the call's handler.
 * A general-purpose asynchronous client queues every request to its I/O thread and wakes it, which
 * measured as a third of the proxy's CPU per request.
 *
 * <p>What it does: one request per connection at a time, no pipelining; a connection is reused only
 * when its response ended exactly where the next one would start, the request went out whole and
 * neither side asked to close; idle connections stay watched, so one the upstream closes leaves the
 * pool at once; a request without a body that meets a reused connection closing before any answer
 * is sent again once on a new connection. Limits: {@code maxConnections} in all and {@code
 * maxPerAddress} to any one address ({@link AddressBudgets}). Timeouts: connecting ({@code
 * connectTimeout}), waiting for a free connection (the same duration), the upstream's silence (each
 * call's own timeout; time the answer waits for a slow client does not count), and a client that
 * stalls while the call waits on it ({@link ClientPace}). Every failure reaches the call's handler
 * as an {@link UpstreamException}.
 *
 * <p>Three parts: this class moves calls onto connections and decides how they end (reuse, discard,
 * send again); {@link UpstreamPool} counts the connections and queues the calls waiting for one;
 * each {@link UpstreamLoop} is an I/O thread that reads answers and watches deadlines.
 *
 * <p>Thread-safe. {@link #close()} stops the I/O threads and closes every connection.
 */
public final class UpstreamClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

  /** The most a response head, a chunk-size line or a trailer section may take. */
  public static final int MAX_HEAD_BYTES = 64 * 1024;

  /** Connections carrying a call (or being opened for one), idle in the pool, and calls waiting. */
  public record Stats(int leased, int available, int pending) {}

  private final long connectTimeoutNanos;
  private final UpstreamPool pool;
  private final UpstreamLoop[] loops;
  private final AtomicInteger nextLoop = new AtomicInteger();

  /**
   * Starts the I/O threads.
   *
   * @param threadName the I/O threads' name prefix
   * @param ioThreads how many selector threads
   * @param maxConnections the most connections open at once, over all addresses
   * @param maxPerAddress the most connections open at once to one address
   * @param connectTimeout how long a TCP connect, or a wait for a free connection, may take
   * @param clientPace when a call that waits on its client has waited too long
   */
  public UpstreamClient(
      String threadName,
      int ioThreads,
      int maxConnections,
      int maxPerAddress,
      Duration connectTimeout,
      ClientPace clientPace) {
    this.connectTimeoutNanos = connectTimeout.toNanos();
    this.pool = new UpstreamPool(this, maxConnections, maxPerAddress, connectTimeoutNanos);
    this.loops = new UpstreamLoop[ioThreads];
    try {
      for (int i = 0; i < ioThreads; i++) {
        loops[i] = new UpstreamLoop(this, pool, clientPace, threadName + "-" + (i + 1), i == 0);
      }
    } catch (IOException e) {
      close();
      throw new IllegalStateException("cannot open a selector for the upstream client's I/O threads", e);
    }
    for (UpstreamLoop loop : loops) {
      loop.thread.start();
    }
  }


  /**
   * Prepares a call; {@link #start} sends it. Separate, so the handler can know its call before
   * the first callback.
   *
   * @param head the request line and header fields, ending with the empty line
   * @param hasBody whether {@link UpstreamCall#offer}/{@link UpstreamCall#endBody} follow
   * @param chunked whether the body is sent in chunks (the head says {@code Transfer-Encoding:
   *     chunked})
   * @param idempotent whether the request may be sent twice (after a stale keep-alive)
   * @param timeout how long the upstream may stay silent
   */
  public UpstreamCall newCall(
      InetSocketAddress address,
      byte[] head,
      boolean headRequest,
      boolean hasBody,
      boolean chunked,
      boolean idempotent,
      Duration timeout,
      UpstreamCall.Handler handler) {
    return new UpstreamCall(
        this, address, head, headRequest, hasBody, chunked, idempotent, timeout.toNanos(), handler);
  }

  /** Sends the call's head on a pooled or new connection, or queues it until one is free. */
  public void start(UpstreamCall call) {
    pool.lease(call);
  }

  /**
   * If the calling thread is an I/O thread of an upstream client, {@code task} runs on it once the
   * event in hand is handled (before the thread waits for the next, no lock of that event held),
   * and this returns true; otherwise it returns false and does nothing. Whoever completes a
   * client's answer on an I/O thread can so continue that client's connection there instead of
   * waking another thread for it.
   */
  public static boolean runOnCurrentIoThread(Runnable task) {
    if (Thread.currentThread() instanceof UpstreamLoop.IoThread io) {
      io.loop.runAfterEvent(task);
      return true;
    }
    return false;
  }

  /** Closes pooled connections idle for at least {@code idleFor}. */
  public void closeIdle(Duration idleFor) {
    pool.closeIdle(idleFor.toNanos());
  }

  public Stats stats() {
    return pool.stats();
  }

  /** Stops the I/O threads; calls still running fail, every connection is closed. Idempotent. */
  @Override
  public void close() {
    List<UpstreamCall> abandoned = new ArrayList<>();
    pool.close(abandoned);
    for (UpstreamCall call : abandoned) {
      fail(call, null, closedFailure());
    }
    for (UpstreamLoop loop : loops) {
      if (loop != null) {
        loop.stop();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // calls onto connections

  /** Puts a call on a connection taken from the pool (idle, or freed by the call before). */
  void assign(UpstreamConnection connection, UpstreamCall call) {
    connection.parser.reset(call.headRequest);
    if (!call.attach(connection)) {
      pool.release(connection); // the call was aborted while it waited: the connection is still clean
      return;
    }
    connection.call = call; // volatile: publishes the parser's reset to the I/O thread
    IOException failure = call.flush();
    if (failure != null) {
      fail(call, connection, failure);
    }
  }

  void connect(UpstreamCall call) {
    UpstreamLoop loop = nextLoop();
    SocketChannel channel;
    try {
      channel = SocketChannel.open();
    } catch (IOException e) {
      pool.forgetOpening(call.address);
      fail(call, null, e);
      return;
    }
    UpstreamConnection connection =
        new UpstreamConnection(
            loop, call.address, channel, MAX_HEAD_BYTES, System.nanoTime() + connectTimeoutNanos);
    connection.parser.reset(call.headRequest);
    if (!call.attach(connection)) {
      connection.close(); // the call was aborted while it waited: its slot goes to the next one
      pool.forgetOpening(call.address);
      return;
    }
    connection.call = call;
    try {
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      boolean connectedAlready = channel.connect(call.address);
      loop.execute(() -> loop.register(connection, connectedAlready));
    } catch (IOException e) {
      fail(call, connection, e); // closes it and gives its slot to a waiting call
    }
  }

  private UpstreamLoop nextLoop() {
    return loops[Math.floorMod(nextLoop.incrementAndGet(), loops.length)];
  }

  // ---------------------------------------------------------------------------------------------
  // how calls end

  /** The response ended (the parser called {@code onEnd}); reuse the connection if it is clean. */
  void completed(UpstreamCall call, UpstreamConnection connection, boolean clean) {
    boolean reusable = clean && call.requestSent();
    if (!call.end()) {
      pool.discard(connection); // aborted meanwhile
      return;
    }
    connection.call = null;
    connection.reused = true;
    if (reusable) {
      connection.resetFlags();
      pool.release(connection);
    } else {
      pool.discard(connection);
    }
  }

  /** Failure of a call on any thread: from its request writes (connection unknown), or below. */
  void failed(UpstreamCall call, IOException cause) {
    fail(call, null, cause);
  }

  /** The handler, or a client going away: end the call and drop its connection. */
  void abort(UpstreamCall call) {
    if (!call.end()) {
      return;
    }
    UpstreamConnection connection = call.detached();
    if (connection != null) {
      connection.call = null;
      pool.discard(connection);
      return;
    }
    pool.removeWaiting(call);
  }

  /**
   * Ends a call with a failure, unless a reused connection closed before answering a request that
   * may be sent again: then the call goes out once more, on another connection.
   */
  void fail(UpstreamCall call, UpstreamConnection on, IOException cause) {
    if (on != null && !call.isOn(on)) {
      // the call left this connection already (it is being sent again, or it is over): a second
      // failure seen on the old connection, say by both the writer and the reader, is not the call's
      if (on.call == call) {
        on.call = null;
        pool.discard(on);
      }
      return;
    }
    if (on != null
        && on.reused
        && !on.parser.started()
        && !UpstreamException.isTimeout(cause)
        && call.rewindForRetry()) {
      LOG.debug("{} closed before answering; sending the request again on a new connection", on);
      on.call = null;
      pool.discard(on);
      pool.lease(call);
      return;
    }
    if (!call.end()) {
      return; // already over: whoever ended it dealt with its connection
    }
    UpstreamConnection had = call.detached();
    if (had != null) {
      had.call = null;
      pool.discard(had);
    }
    if (on != null && on != had) {
      on.call = null;
      pool.discard(on);
    }
    if (call.answered()) {
      // the answer ended just before (the request's writer failed meanwhile): the connection is
      // closed above, and the handler, told of the end, must not hear of a failure too
      return;
    }
    UpstreamConnection where = on != null ? on : had;
    call.handler.onFailure(UpstreamException.of(cause, where != null && where.isConnected()));
  }

  /** How a call fails that this client, being closed, will not carry. */
  static UpstreamException closedFailure() {
    return new UpstreamException(UpstreamException.Kind.CLOSED, "the proxy is closed");
  }
}
