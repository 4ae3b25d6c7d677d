package dev.faas4j.examples.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes an HTTP/1 client connection whose request head, once started, is not complete within a
 * deadline. Jetty's idle timeout does not catch a client that sends its head a byte at a time
 * (every byte restarts it), and such a client holds a connection and a file descriptor for as long
 * as it likes; this does.
 *
 * <p>A sweep on the server's scheduler looks at each open connection every quarter of the deadline
 * (at most every second): a connection seen in the middle of a request head (its parser past the
 * start and before the body) for the same request since a sweep at least the deadline ago is
 * closed. A connection waiting for its next request without having sent any byte of it is left to
 * the idle timeout. So a head may take up to the deadline plus one sweep period.
 *
 * <p>Register it on the connector with {@code addBean}: it listens to the connector's connections
 * and starts and stops with it. Thread-safe.
 */
final class HeaderDeadline extends AbstractLifeCycle implements Connection.Listener {

  private static final long NOT_IN_HEAD = Long.MIN_VALUE;

  /** What a sweep saw of one connection. */
  private static final class Seen {
    long requests = -1;
    long inHeadSince = NOT_IN_HEAD;
  }

  private final long deadlineNanos;
  private final long periodMillis;
  private final Scheduler scheduler;
  private final Map<HttpConnection, Seen> connections = new ConcurrentHashMap<>();
  private volatile Scheduler.Task next;

  HeaderDeadline(Duration deadline, Scheduler scheduler) {
    this.deadlineNanos = deadline.toNanos();
    this.periodMillis = Math.max(10, Math.min(1000, deadline.toMillis() / 4));
    this.scheduler = scheduler;
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      connections.put(http, new Seen());
    }
  }

  @Override
  public void onClosed(Connection connection) {
    connections.remove(connection);
  }

  @Override
  protected void doStart() {
    next = scheduler.schedule(this::sweep, periodMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void doStop() {
    Scheduler.Task task = next;
    if (task != null) {
      task.cancel();
    }
    connections.clear();
  }

  private void sweep() {
    long now = System.nanoTime();
    try {
      connections.forEach((connection, seen) -> check(connection, seen, now));
    } finally {
      if (isRunning()) {
        next = scheduler.schedule(this::sweep, periodMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void check(HttpConnection connection, Seen seen, long now) {
    HttpParser parser = connection.getParser();
    boolean inHead = parser.inHeaderState() && !parser.isStart();
    long requests = connection.getMessagesIn();
    if (!inHead || requests != seen.requests) {
      seen.requests = requests;
      seen.inHeadSince = inHead ? now : NOT_IN_HEAD;
      return;
    }
    if (seen.inHeadSince == NOT_IN_HEAD) {
      seen.inHeadSince = now;
    } else if (now - seen.inHeadSince >= deadlineNanos) {
      connections.remove(connection);
      connection.getEndPoint().close(new TimeoutException("the request head was not complete in time"));
    }
  }
}
