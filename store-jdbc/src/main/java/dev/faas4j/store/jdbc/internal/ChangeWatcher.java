package dev.faas4j.store.jdbc.internal;

import dev.faas4j.api.ChangeListener;
import dev.faas4j.api.FunctionStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one daemon thread of a store that waits for signs of change in the database and calls the
 * store's {@link ChangeListener}s.
 *
 * <p>The thread starts with the first subscription, whose call opens the {@link Source} (a
 * dedicated connection) itself, so that a database that cannot push fails that call with a clear
 * exception. When the source breaks, the thread reopens it with exponential backoff
 * ({@value #FIRST_BACKOFF_MILLIS} ms doubling to {@value #LAST_BACKOFF_MILLIS} ms) and then calls
 * every listener with {@code resyncNeeded}, since changes may have gone by unannounced. Listeners
 * are called on that thread only, so never twice at once. {@link #close()} stops the thread and
 * closes the source; nothing outlives it.
 *
 * <p>Thread-safe.
 */
public final class ChangeWatcher implements AutoCloseable {

  static final long FIRST_BACKOFF_MILLIS = 100;
  static final long LAST_BACKOFF_MILLIS = 5_000;
  private static final long CLOSE_WAIT_MILLIS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ChangeWatcher.class);

  /** Where signs of change come from: a LISTENing connection, or a poll of the feed's head. */
  public interface Source extends AutoCloseable {
    /**
     * Waits a short while (well under a second) for a sign of change.
     *
     * @param pause a wait that ends early when the watcher closes or is woken up
     * @return whether something may have changed
     * @throws SQLException if the source is broken and must be reopened
     */
    boolean await(Pause pause) throws SQLException, InterruptedException;

    /** Releases the source; does not throw. May be called from another thread to unblock it. */
    @Override
    void close();
  }

  /** Opens a source; a failure is reported to the caller of the first subscribe, later retried. */
  @FunctionalInterface
  public interface Opener {
    Source open() throws SQLException;
  }

  /** A wait of the watcher's thread that {@link #close()} and {@link #wake()} cut short. */
  @FunctionalInterface
  public interface Pause {
    /** Waits up to {@code millis}; returns {@code false} if the watcher is closing. */
    boolean pause(long millis) throws InterruptedException;
  }

  private final String threadName;
  private final Opener opener;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private boolean closed;
  private boolean woken;
  private Thread thread;
  private volatile Source current;

  public ChangeWatcher(String threadName, Opener opener) {
    this.threadName = threadName;
    this.opener = opener;
  }

  /**
   * The source for {@code dialect}: LISTEN on PostgreSQL, a poll on SQLite. The PostgreSQL driver
   * is loaded only when a PostgreSQL source is opened.
   */
  public static Opener openerFor(Dialect dialect, DataSource dataSource) {
    if (dialect == Dialect.SQLITE) {
      return () -> SqlitePollSource.open(dataSource);
    }
    return () -> {
      try {
        return PgNotificationSource.open(dataSource);
      } catch (NoClassDefFoundError e) {
        throw new SQLException("faas4j LISTENs for changes with the PostgreSQL JDBC driver (org.postgresql:"
            + "postgresql), which is not on the classpath: add it, or do not subscribe and poll changesSince", e);
      }
    };
  }

  /**
   * Adds a listener, starting the thread (and opening the source) on the first call.
   *
   * @throws SQLException if the source cannot be opened; nothing is started then
   * @throws IllegalStateException if the watcher is closed
   */
  public FunctionStore.Subscription subscribe(ChangeListener listener) throws SQLException {
    Objects.requireNonNull(listener, "listener");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the store is closed");
      }
      if (thread == null) {
        current = opener.open();
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
      }
      listeners.add(listener);
    }
    return () -> listeners.remove(listener);
  }

  /** Cuts the current wait short, so that a local change is noticed at once (by a polling source). */
  public void wake() {
    synchronized (lock) {
      woken = true;
      lock.notifyAll();
    }
  }

  /** Stops the thread, closes the source and forgets the listeners. Idempotent. */
  @Override
  public void close() {
    Thread running;
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
      running = thread;
    }
    listeners.clear();
    if (running == null) {
      return;
    }
    try {
      running.join(CLOSE_WAIT_MILLIS);
      if (running.isAlive()) {
        Source stuck = current;
        if (stuck != null) {
          stuck.close(); // a read blocked on a dead network ends when its socket is closed
        }
        running.join(CLOSE_WAIT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (running.isAlive()) {
      LOG.warn("the faas4j change watcher thread {} did not stop", threadName);
    }
  }

  private void run() {
    long backoff = FIRST_BACKOFF_MILLIS;
    try {
      while (!isClosed()) {
        Source source = current;
        try {
          if (source == null) {
            source = opener.open();
            current = source;
            LOG.info("faas4j change watcher {} reconnected; listeners are told to resync", threadName);
            backoff = FIRST_BACKOFF_MILLIS;
            tell(true);
          }
          if (source.await(this::pause)) {
            tell(false);
          }
        } catch (SQLException | RuntimeException e) {
          if (isClosed()) {
            break;
          }
          LOG.warn("faas4j change watcher {} lost its connection; reconnecting in {} ms: {}", threadName, backoff,
              e.toString());
          current = null;
          if (source != null) {
            source.close();
          }
          pause(backoff);
          backoff = Math.min(backoff * 2, LAST_BACKOFF_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Source source = current;
      current = null;
      if (source != null) {
        source.close();
      }
    }
  }

  /** Closes a source's connection that failed to open, adding a failure to close to {@code cause}. */
  static void closeAfterFailure(Connection connection, Exception cause) {
    try {
      connection.close();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private boolean pause(long millis) throws InterruptedException {
    synchronized (lock) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      long left = millis;
      while (!closed && !woken && left > 0) {
        lock.wait(left);
        left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      }
      woken = false;
      return !closed;
    }
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void tell(boolean resyncNeeded) {
    for (ChangeListener listener : listeners) {
      try {
        listener.changed(resyncNeeded);
      } catch (RuntimeException e) {
        LOG.warn("a faas4j change listener failed; it stays subscribed", e);
      }
    }
  }
}
