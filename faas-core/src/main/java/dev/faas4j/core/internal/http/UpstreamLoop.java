package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread of an {@link UpstreamClient}: a selector and the connections registered with it.
 * It finishes connects, reads every answer and feeds it to the connection's {@link ResponseParser},
 * writes request bytes the socket would not take at once, notices idle connections the upstream
 * closes, and sweeps for deadlines every 100 ms: connects, the upstream's silence,
 * stalled clients ({@link ClientPace}), and (on one loop per client) calls that waited too long for
 * a connection.
 *
 * <p>A failure on one connection costs that connection's call only; a bug in a handler is logged
 * and the thread goes on serving the others. Other threads hand it work through {@link #execute}.
 */
final class UpstreamLoop implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamLoop.class);

  /** How often each I/O thread looks for expired deadlines: the timeouts' resolution. */
  private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final int READ_BUFFER_BYTES = 32 * 1024;

  final Thread thread;
  private final UpstreamClient client;
  private final UpstreamPool pool;
  private final ClientPace clientPace;
  private final Selector selector;
  private final boolean sweepsWaiting;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  /** Handed over on this thread while it handled an event: run when that event is done. This thread only. */
  private final ArrayDeque<Runnable> afterEvent = new ArrayDeque<>();
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
  private volatile boolean running = true;
  /** Set once the thread has shut down: tasks handed over later run on the caller's thread. */
  private volatile boolean terminated;
  private long nextSweep = System.nanoTime() + SWEEP_NANOS;

  /**
   * @param sweepsWaiting whether this loop also fails the calls that waited too long for a
   *     connection (one loop of a client does)
   */
  UpstreamLoop(UpstreamClient client, UpstreamPool pool, ClientPace clientPace, String name, boolean sweepsWaiting)
      throws IOException {
    this.client = client;
    this.pool = pool;
    this.clientPace = clientPace;
    this.selector = Selector.open();
    this.sweepsWaiting = sweepsWaiting;
    this.thread = new IoThread(this, name);
    thread.setDaemon(true);
  }

  /** An I/O thread, which knows its loop: see {@link UpstreamClient#runOnCurrentIoThread}. */
  static final class IoThread extends Thread {
    final UpstreamLoop loop;

    private IoThread(UpstreamLoop loop, String name) {
      super(loop, name);
      this.loop = loop;
    }
  }

  /**
   * On this thread: runs {@code task} once the event being handled is done (no lock of it held, the
   * selected connection's answer handled), before the thread waits for the next one.
   */
  void runAfterEvent(Runnable task) {
    afterEvent.add(task);
  }

  private void runAfterEvent() {
    Runnable task;
    while ((task = afterEvent.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("unexpected failure of a task on the proxy's I/O thread {}", thread.getName(), e);
      }
    }
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
      connectionFailed(connection, UpstreamClient.closedFailure());
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
    runAfterEvent();
    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
      SelectionKey key = it.next();
      it.remove();
      handle(key);
      runAfterEvent();
    }
    long now = System.nanoTime();
    if (now - nextSweep >= 0) {
      nextSweep = now + SWEEP_NANOS;
      sweep(now);
      runAfterEvent();
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
      pool.discard(connection); // its call was aborted while connecting
      return;
    }
    IOException failure = call.flush();
    if (failure != null) {
      client.fail(call, connection, failure);
    }
  }

  private void read(UpstreamConnection connection) throws IOException {
    buffer.clear();
    int n = connection.channel.read(buffer);
    UpstreamCall call = connection.call;
    if (call == null) {
      if (n != 0) {
        pool.idleClosed(connection); // closed by the upstream, or bytes nobody asked for
      }
      return;
    }
    if (n < 0) {
      try {
        connection.parser.endOfInput(call);
      } catch (IOException e) {
        client.fail(call, connection, e);
        return;
      }
      client.completed(call, connection, false);
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
      client.fail(call, connection, e);
      return;
    }
    if (ended) {
      client.completed(call, connection, !buffer.hasRemaining() && connection.parser.keepAlive());
    }
  }

  private void connectionFailed(UpstreamConnection connection, IOException e) {
    UpstreamCall call = connection.call;
    if (call != null) {
      client.fail(call, connection, e);
    } else {
      pool.idleClosed(connection);
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
          client.fail(
              call, connection, new UpstreamException(UpstreamException.Kind.CONNECT_TIMEOUT, "connect timed out"));
        }
      } else {
        long clientProgress = call.clientProgressWhileWaiting();
        if (clientProgress < 0) {
          call.clientWaitSince = ClientPace.NOT_WAITING;
          if (now - call.deadline >= 0) {
            client.fail(
                call, connection, new UpstreamException(UpstreamException.Kind.RESPONSE_TIMEOUT, "no answer in time"));
          }
        } else if (clientPace.stalled(call, now, clientProgress)) {
          client.fail(call, connection, clientPace.stallOf(call));
        }
      }
    }
    if (sweepsWaiting) {
      List<UpstreamCall> expired = new ArrayList<>();
      pool.expireWaiting(now, expired);
      for (UpstreamCall call : expired) {
        client.fail(call, null, new UpstreamException(
            UpstreamException.Kind.POOL_EXHAUSTED, "every connection it may use stayed busy"));
      }
    }
  }

  private void shutDown() {
    for (SelectionKey key : selector.keys()) {
      UpstreamConnection connection = (UpstreamConnection) key.attachment();
      UpstreamCall call = connection.call;
      if (call != null) {
        client.fail(call, connection, UpstreamClient.closedFailure());
      }
      pool.discard(connection);
    }
    runTasks(); // registrations that came late fail, the loop not running any more
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing a selector: {}", e.toString());
    }
    terminated = true;
    runTasks(); // those handed over while the selector closed
    runAfterEvent(); // what the failures above handed over
  }
}
