package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small non-blocking HTTP/1.1 client for the proxy's upstream leg: keep-alive connections to
 * function instances, pooled, driven by a few selector threads.
 *
 * <p>Why not a general-purpose client: the proxy's upstream is always a function instance close by
 * (loopback, or a container on the host's bridge), requests are forwarded as the container parsed
 * them, and the cost that matters is the hand-off per request. Here the thread that has the request
 * writes it to a pooled socket itself; only the answer is read on the I/O thread, which hands it
 * straight to the client's connection. A general-purpose asynchronous client queues every request
 * to its I/O thread and wakes it, which measured as a third of the proxy's CPU per request.
 *
 * <p>What it does: one request per connection at a time, no pipelining; a connection is reused only
 * when its response ended exactly where the next one would start, the request went out whole and
 * neither side asked to close; idle connections stay watched, so one the function closes leaves the
 * pool at once; a request without a body that meets a reused connection closing before any answer
 * is sent again once on a new connection. Limits: {@code maxConnections} in all and {@code
 * maxPerAddress} to any one instance ({@link AddressBudgets}). Timeouts: connecting ({@code
 * connectTimeout}), waiting for a free connection (the same duration), the function's silence (each
 * call's own timeout; time the answer waits for a slow client does not count), and a client that
 * stalls while the call waits on it ({@link ClientPace}).
 *
 * <p>Thread-safe. {@link #close()} stops the I/O threads and closes every connection.
 */
public final class UpstreamClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);

  /** The most a response head, a chunk-size line or a trailer section may take. */
  public static final int MAX_HEAD_BYTES = 64 * 1024;

  /** How often each I/O thread looks for expired deadlines: the timeouts' resolution. */
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final int READ_BUFFER_BYTES = 32 * 1024;

  /** Connections carrying a call (or being opened for one), idle in the pool, and calls waiting. */
  public record Stats(int leased, int available, int pending) {}

  private final long connectTimeoutNanos;
  private final ClientPace clientPace;
  private final Loop[] loops;
  private int nextLoop;

  private final ReentrantLock pool = new ReentrantLock();
  private final Map<InetSocketAddress, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
  /** Connections open or being opened, per address, and the calls waiting; under {@link #pool}. */
  private final AddressBudgets budgets;
  private int idleCount;
  private volatile boolean closed;

  /**
   * Starts the I/O threads.
   *
   * @param threadName the I/O threads' name prefix
   * @param ioThreads how many selector threads
   * @param maxConnections the most connections open at once, over all instances
   * @param maxPerAddress the most connections open at once to one instance
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
    this.budgets = new AddressBudgets(maxConnections, maxPerAddress);
    this.connectTimeoutNanos = connectTimeout.toNanos();
    this.clientPace = clientPace;
    this.loops = new Loop[ioThreads];
    try {
      for (int i = 0; i < ioThreads; i++) {
        loops[i] = new Loop(threadName + "-" + (i + 1), i == 0);
      }
    } catch (IOException e) {
      close();
      throw new IllegalStateException("cannot open a selector for the proxy's I/O threads", e);
    }
    for (Loop loop : loops) {
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
    UpstreamConnection reuse = null;
    UpstreamConnection evicted = null;
    boolean openNew = false;
    pool.lock();
    try {
      if (call.isDone()) {
        return; // aborted before it started (or while it was moving to a new connection)
      }
      if (closed) {
        reuse = null;
      } else if ((reuse = pollIdle(call.address)) == null) {
        InetSocketAddress address = call.address;
        if (budgets.atAddressBudget(address)) {
          openNew = false; // waits for one of its own instance's connections
        } else if (!budgets.poolFull()) {
          budgets.opened(address);
          openNew = true;
        } else if ((evicted = pollOldestIdle()) != null) {
          budgets.closed(evicted.address); // one to another instance closes, ours opens
          budgets.opened(address);
          openNew = true;
        }
        if (!openNew && budgets.enqueue(call, System.nanoTime() + connectTimeoutNanos)) {
          return;
        }
      }
    } finally {
      pool.unlock();
    }
    if (evicted != null) {
      evicted.close();
    }
    if (reuse != null) {
      assign(reuse, call);
    } else if (openNew) {
      connect(call);
    } else if (closed) {
      fail(call, null, closedFailure());
    } else {
      fail(call, null, new UpstreamException(
          UpstreamException.Kind.POOL_EXHAUSTED, "the instance's connections are busy and too many calls wait"));
    }
  }

  /** Closes pooled connections idle for at least {@code idleFor}. */
  public void closeIdle(Duration idleFor) {
    long now = System.nanoTime();
    List<UpstreamConnection> expired = new ArrayList<>();
    List<UpstreamCall> served = new ArrayList<>();
    pool.lock();
    try {
      for (ArrayDeque<UpstreamConnection> connections : idle.values()) {
        for (Iterator<UpstreamConnection> it = connections.iterator(); it.hasNext(); ) {
          UpstreamConnection connection = it.next();
          if (now - connection.idleSince >= idleFor.toNanos()) {
            it.remove();
            idleCount--;
            budgets.closed(connection.address);
            connection.discarded = true; // counted out here: a later discard must not count it again
            expired.add(connection);
          }
        }
      }
      idle.values().removeIf(ArrayDeque::isEmpty);
      UpstreamCall next;
      while (!closed && (next = budgets.nextToOpen()) != null) {
        served.add(next);
      }
    } finally {
      pool.unlock();
    }
    expired.forEach(UpstreamConnection::close);
    served.forEach(this::connect);
  }

  public Stats stats() {
    pool.lock();
    try {
      return new Stats(budgets.open() - idleCount, idleCount, budgets.waiting());
    } finally {
      pool.unlock();
    }
  }

  /** Stops the I/O threads; calls still running fail, every connection is closed. Idempotent. */
  @Override
  public void close() {
    List<UpstreamCall> abandoned = new ArrayList<>();
    pool.lock();
    try {
      closed = true;
      budgets.drain(abandoned);
    } finally {
      pool.unlock();
    }
    for (UpstreamCall call : abandoned) {
      fail(call, null, closedFailure());
    }
    for (Loop loop : loops) {
      if (loop != null) {
        loop.stop();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // connections in and out of the pool

  private void assign(UpstreamConnection connection, UpstreamCall call) {
    connection.parser.reset(call.headRequest);
    if (!call.attach(connection)) {
      release(connection); // the call was aborted while it waited: the connection is still clean
      return;
    }
    connection.call = call; // volatile: publishes the parser's reset to the I/O thread
    IOException failure = call.flush();
    if (failure != null) {
      fail(call, connection, failure);
    }
  }

  private void connect(UpstreamCall call) {
    Loop loop = nextLoop();
    SocketChannel channel;
    try {
      channel = SocketChannel.open();
    } catch (IOException e) {
      forgetOpening(call.address);
      fail(call, null, e);
      return;
    }
    UpstreamConnection connection =
        new UpstreamConnection(
            loop, call.address, channel, MAX_HEAD_BYTES, System.nanoTime() + connectTimeoutNanos);
    connection.parser.reset(call.headRequest);
    if (!call.attach(connection)) {
      connection.close(); // the call was aborted while it waited: its slot goes to the next one
      forgetOpening(call.address);
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

  /** A connection that was counted as opening never came to be. */
  private void forgetOpening(InetSocketAddress address) {
    UpstreamCall next;
    pool.lock();
    try {
      budgets.closed(address);
      next = closed ? null : budgets.nextToOpen();
    } finally {
      pool.unlock();
    }
    if (next != null) {
      connect(next);
    }
  }

  /** The call is over and its connection is clean: keep it for the next call to that instance. */
  private void release(UpstreamConnection connection) {
    UpstreamCall next = null;
    UpstreamCall other = null;
    boolean makesRoom = false;
    pool.lock();
    try {
      if (closed) {
        discardLocked(connection);
        return;
      }
      next = budgets.pollWaiting(connection.address);
      if (next == null && budgets.anyWaitingForPool()) {
        // a call to another instance waits for a free slot: this connection makes room for it
        makesRoom = true;
        connection.discarded = true;
        budgets.closed(connection.address);
        other = budgets.nextToOpen();
      } else if (next == null) {
        connection.idleSince = System.nanoTime();
        idle.computeIfAbsent(connection.address, a -> new ArrayDeque<>()).addLast(connection);
        idleCount++;
      }
    } finally {
      pool.unlock();
    }
    if (next != null) {
      assign(connection, next);
    } else if (makesRoom) {
      connection.close();
      if (other != null) {
        connect(other);
      }
    }
  }

  /** Closes a connection that will not be reused; its slot goes to a waiting call. Idempotent. */
  private void discard(UpstreamConnection connection) {
    UpstreamCall next;
    pool.lock();
    try {
      if (connection.discarded) {
        return;
      }
      discardLocked(connection);
      next = closed ? null : budgets.nextToOpen();
    } finally {
      pool.unlock();
    }
    connection.close();
    if (next != null) {
      connect(next);
    }
  }

  private void discardLocked(UpstreamConnection connection) {
    if (connection.discarded) {
      return;
    }
    connection.discarded = true;
    budgets.closed(connection.address);
    ArrayDeque<UpstreamConnection> forAddress = idle.get(connection.address);
    if (forAddress != null && forAddress.remove(connection)) {
      idleCount--;
      if (forAddress.isEmpty()) {
        idle.remove(connection.address);
      }
    }
    connection.close();
  }

  private UpstreamConnection pollIdle(InetSocketAddress address) {
    ArrayDeque<UpstreamConnection> connections = idle.get(address);
    UpstreamConnection connection = connections == null ? null : connections.pollLast();
    if (connection != null) {
      idleCount--;
      if (connections.isEmpty()) {
        idle.remove(address);
      }
    }
    return connection;
  }

  private UpstreamConnection pollOldestIdle() {
    UpstreamConnection oldest = null;
    for (ArrayDeque<UpstreamConnection> connections : idle.values()) {
      UpstreamConnection first = connections.peekFirst();
      if (first != null && (oldest == null || first.idleSince - oldest.idleSince < 0)) {
        oldest = first;
      }
    }
    if (oldest != null) {
      ArrayDeque<UpstreamConnection> forAddress = idle.get(oldest.address);
      forAddress.pollFirst();
      if (forAddress.isEmpty()) {
        idle.remove(oldest.address);
      }
      idleCount--;
      oldest.discarded = true;
    }
    return oldest;
  }

  private Loop nextLoop() {
    pool.lock();
    try {
      nextLoop = (nextLoop + 1) % loops.length;
      return loops[nextLoop];
    } finally {
      pool.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // how calls end

  /** The response ended (the parser called {@code onEnd}); reuse the connection if it is clean. */
  private void completed(UpstreamCall call, UpstreamConnection connection, boolean clean) {
    boolean reusable = clean && call.requestSent();
    if (!call.end()) {
      discard(connection); // aborted meanwhile
      return;
    }
    connection.call = null;
    connection.reused = true;
    if (reusable) {
      connection.resetFlags();
      release(connection);
    } else {
      discard(connection);
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
      discard(connection);
      return;
    }
    pool.lock();
    try {
      budgets.remove(call);
    } finally {
      pool.unlock();
    }
  }

  /**
   * Ends a call with a failure, unless a reused connection closed before answering a request that
   * may be sent again: then the call goes out once more, on another connection.
   */
  private void fail(UpstreamCall call, UpstreamConnection on, IOException cause) {
    if (on != null && !call.isOn(on)) {
      // the call left this connection already (it is being sent again, or it is over): a second
      // failure seen on the old connection, say by both the writer and the reader, is not the call's
      if (on.call == call) {
        on.call = null;
        discard(on);
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
      discard(on);
      start(call);
      return;
    }
    if (!call.end()) {
      return; // already over: whoever ended it dealt with its connection
    }
    UpstreamConnection had = call.detached();
    if (had != null) {
      had.call = null;
      discard(had);
    }
    if (on != null && on != had) {
      on.call = null;
      discard(on);
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
  private static UpstreamException closedFailure() {
    return new UpstreamException(UpstreamException.Kind.CLOSED, "the proxy is closed");
  }

  // ---------------------------------------------------------------------------------------------
  // the I/O threads

  /** One selector thread and the connections registered with it. */
  final class Loop implements Runnable {
    final Thread thread;
    private final Selector selector;
    private final boolean sweepsWaiting;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private volatile boolean running = true;
    /** Set once the thread has shut down: tasks handed over later run on the caller's thread. */
    private volatile boolean terminated;
    private long nextSweep = System.nanoTime() + SWEEP_NANOS;

    Loop(String name, boolean sweepsWaiting) throws IOException {
      this.selector = Selector.open();
      this.sweepsWaiting = sweepsWaiting;
      this.thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    void execute(Runnable task) {
      tasks.add(task);
      selector.wakeup();
      if (terminated) {
        runTasks(); // nobody else will: registrations fail, the loop being stopped
      }
    }

    private void runTasks() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run();
      }
    }

    void wakeupUnlessCurrent() {
      if (Thread.currentThread() != thread) {
        selector.wakeup();
      }
    }

    void stop() {
      running = false;
      selector.wakeup();
      if (Thread.currentThread() != thread) {
        try {
          thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** On this thread: a new connection joins the selector. */
    void register(UpstreamConnection connection, boolean connectedAlready) {
      if (!running) {
        // the proxy closed while this connection was being opened: its call fails like the others
        connectionFailed(connection, closedFailure());
        connection.close();
        return;
      }
      try {
        connection.registered(connection.channel.register(selector, 0, connection));
        if (connectedAlready) {
          connected(connection);
        }
      } catch (IOException e) {
        connectionFailed(connection, e);
      }
    }

    @Override
    public void run() {
      try {
        while (running) {
          selector.select(TimeUnit.NANOSECONDS.toMillis(SWEEP_NANOS));
          try {
            runOnce();
          } catch (RuntimeException e) {
            // a bug in a task or a handler: log it, keep serving every other connection
            LOG.error("unexpected failure on the proxy's I/O thread {}", thread.getName(), e);
          }
        }
      } catch (IOException e) {
        LOG.error("the proxy's I/O thread {} failed; its connections are closed", thread.getName(), e);
      } finally {
        shutDown();
      }
    }

    private void runOnce() {
      runTasks();
      for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
        SelectionKey key = it.next();
        it.remove();
        handle(key);
      }
      long now = System.nanoTime();
      if (now - nextSweep >= 0) {
        nextSweep = now + SWEEP_NANOS;
        sweep(now);
      }
    }

    private void handle(SelectionKey key) {
      UpstreamConnection connection = (UpstreamConnection) key.attachment();
      try {
        if (!key.isValid()) {
          return;
        }
        if (key.isConnectable()) {
          connection.channel.finishConnect();
          connected(connection);
          return;
        }
        if (key.isWritable()) {
          UpstreamCall call = connection.call;
          IOException failure = call == null ? null : call.flush();
          if (failure != null) {
            throw failure;
          }
        }
        if (key.isValid() && key.isReadable()) {
          read(connection);
        }
      } catch (CancelledKeyException e) {
        // closed by another thread meanwhile
      } catch (IOException e) {
        connectionFailed(connection, e);
      } catch (RuntimeException e) {
        // a bug here or in a handler must cost one call, not the thread that serves all the others
        LOG.error("unexpected failure on {}; closing it", connection, e);
        connectionFailed(connection, new IOException("internal error: " + e, e));
      }
    }

    private void connected(UpstreamConnection connection) {
      connection.connected();
      UpstreamCall call = connection.call;
      if (call == null) {
        discard(connection); // its call was aborted while connecting
        return;
      }
      IOException failure = call.flush();
      if (failure != null) {
        fail(call, connection, failure);
      }
    }

    private void read(UpstreamConnection connection) throws IOException {
      buffer.clear();
      int n = connection.channel.read(buffer);
      UpstreamCall call = connection.call;
      if (call == null) {
        if (n != 0) {
          idleClosed(connection); // closed by the upstream, or bytes nobody asked for
        }
        return;
      }
      if (n < 0) {
        try {
          connection.parser.endOfInput(call);
        } catch (IOException e) {
          fail(call, connection, e);
          return;
        }
        completed(call, connection, false);
        return;
      }
      if (n == 0) {
        return;
      }
      call.deadline = System.nanoTime() + call.timeoutNanos;
      buffer.flip();
      boolean ended;
      try {
        ended = connection.parser.parse(buffer, call);
      } catch (IOException e) {
        fail(call, connection, e);
        return;
      }
      if (ended) {
        completed(call, connection, !buffer.hasRemaining() && connection.parser.keepAlive());
      }
    }

    private void connectionFailed(UpstreamConnection connection, IOException e) {
      UpstreamCall call = connection.call;
      if (call != null) {
        fail(call, connection, e);
      } else {
        idleClosed(connection);
      }
    }

    /** An idle connection closed or misbehaved: drop it, unless a call is taking it right now. */
    private void idleClosed(UpstreamConnection connection) {
      pool.lock();
      try {
        ArrayDeque<UpstreamConnection> forAddress = idle.get(connection.address);
        if (connection.call == null && forAddress != null && forAddress.contains(connection)) {
          discardLocked(connection);
        }
        // otherwise a call took it just now, and sees the failure itself
      } finally {
        pool.unlock();
      }
    }

    private void sweep(long now) {
      for (SelectionKey key : selector.keys()) {
        UpstreamConnection connection = (UpstreamConnection) key.attachment();
        UpstreamCall call = connection.call;
        if (call == null) {
          continue;
        }
        if (!connection.isConnected()) {
          if (now - connection.connectDeadline >= 0) {
            fail(call, connection, new UpstreamException(UpstreamException.Kind.CONNECT_TIMEOUT, "connect timed out"));
          }
        } else {
          long clientProgress = call.clientProgressWhileWaiting();
          if (clientProgress < 0) {
            call.clientWaitSince = ClientPace.NOT_WAITING;
            if (now - call.deadline >= 0) {
              fail(call, connection, new UpstreamException(UpstreamException.Kind.RESPONSE_TIMEOUT, "no answer in time"));
            }
          } else if (clientPace.stalled(call, now, clientProgress)) {
            fail(call, connection, clientPace.stallOf(call));
          }
        }
      }
      if (sweepsWaiting) {
        List<UpstreamCall> expired = new ArrayList<>();
        pool.lock();
        try {
          budgets.expire(now, expired);
        } finally {
          pool.unlock();
        }
        for (UpstreamCall call : expired) {
          fail(call, null, new UpstreamException(UpstreamException.Kind.POOL_EXHAUSTED, "every connection it may use stayed busy"));
        }
      }
    }

    private void shutDown() {
      for (SelectionKey key : selector.keys()) {
        UpstreamConnection connection = (UpstreamConnection) key.attachment();
        UpstreamCall call = connection.call;
        if (call != null) {
          fail(call, connection, closedFailure());
        }
        discard(connection);
      }
      runTasks(); // registrations that came late fail, the loop not running any more
      try {
        selector.close();
      } catch (IOException e) {
        LOG.debug("closing a selector: {}", e.toString());
      }
      terminated = true;
      runTasks(); // those handed over while the selector closed
    }
  }
}
