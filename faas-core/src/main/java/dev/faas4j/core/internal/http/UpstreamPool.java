package dev.faas4j.core.internal.http;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connections of an {@link UpstreamClient}, counted: which are idle per address, how many each
 * address holds ({@link AddressBudgets}), and the calls waiting for one, all under one lock. It
 * decides where a call goes (an idle connection, a new one, or the queue) and who gets a slot that
 * comes free; the client then does the work outside the lock ({@link UpstreamClient#assign}, {@link
 * UpstreamClient#connect}).
 *
 * <p>Thread-safe: every method takes the lock itself, and none calls the client with it held.
 */
final class UpstreamPool {

  private final UpstreamClient client;
  private final long waitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<InetSocketAddress, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
  /** Connections open or being opened, per address, and the calls waiting; under {@link #lock}. */
  private final AddressBudgets budgets;
  private int idleCount;
  private volatile boolean closed;

  /**
   * @param waitNanos how long a call may wait for a connection
   */
  UpstreamPool(UpstreamClient client, int maxConnections, int maxPerAddress, long waitNanos) {
    this.client = client;
    this.waitNanos = waitNanos;
    this.budgets = new AddressBudgets(maxConnections, maxPerAddress);
  }

  boolean isClosed() {
    return closed;
  }

  /** Puts the call on an idle connection, a new one, or in its address's queue; or fails it. */
  void lease(UpstreamCall call) {
    UpstreamConnection reuse = null;
    UpstreamConnection evicted = null;
    boolean openNew = false;
    lock.lock();
    try {
      if (call.isDone()) {
        return; // aborted before it started (or while it was moving to a new connection)
      }
      if (closed) {
        reuse = null;
      } else if ((reuse = pollIdle(call.address)) == null) {
        InetSocketAddress address = call.address;
        if (budgets.atAddressBudget(address)) {
          openNew = false; // waits for one of its own address's connections
        } else if (!budgets.poolFull()) {
          budgets.opened(address);
          openNew = true;
        } else if ((evicted = pollOldestIdle()) != null) {
          budgets.closed(evicted.address); // one to another address closes, ours opens
          budgets.opened(address);
          openNew = true;
        }
        if (!openNew && budgets.enqueue(call, System.nanoTime() + waitNanos)) {
          return;
        }
      }
    } finally {
      lock.unlock();
    }
    if (evicted != null) {
      evicted.close();
    }
    if (reuse != null) {
      client.assign(reuse, call);
    } else if (openNew) {
      client.connect(call);
    } else if (closed) {
      client.fail(call, null, UpstreamClient.closedFailure());
    } else {
      client.fail(call, null, new UpstreamException(
          UpstreamException.Kind.POOL_EXHAUSTED, "the instance's connections are busy and too many calls wait"));
    }
  }

  /** Closes pooled connections idle for at least {@code idleForNanos}; their slots go to waiting calls. */
  void closeIdle(long idleForNanos) {
    long now = System.nanoTime();
    List<UpstreamConnection> expired = new ArrayList<>();
    List<UpstreamCall> served = new ArrayList<>();
    lock.lock();
    try {
      for (ArrayDeque<UpstreamConnection> connections : idle.values()) {
        for (Iterator<UpstreamConnection> it = connections.iterator(); it.hasNext(); ) {
          UpstreamConnection connection = it.next();
          if (now - connection.idleSince >= idleForNanos) {
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
      lock.unlock();
    }
    expired.forEach(UpstreamConnection::close);
    served.forEach(client::connect);
  }

  UpstreamClient.Stats stats() {
    lock.lock();
    try {
      return new UpstreamClient.Stats(budgets.open() - idleCount, idleCount, budgets.waiting());
    } finally {
      lock.unlock();
    }
  }

  /** Refuses every later call and hands over the calls waiting, for the client to fail them. */
  void close(List<UpstreamCall> abandoned) {
    lock.lock();
    try {
      closed = true;
      budgets.drain(abandoned);
    } finally {
      lock.unlock();
    }
  }

  /** A connection that was counted as opening never came to be. */
  void forgetOpening(InetSocketAddress address) {
    UpstreamCall next;
    lock.lock();
    try {
      budgets.closed(address);
      next = closed ? null : budgets.nextToOpen();
    } finally {
      lock.unlock();
    }
    if (next != null) {
      client.connect(next);
    }
  }

  /** The call is over and its connection is clean: keep it for the next call to that address. */
  void release(UpstreamConnection connection) {
    UpstreamCall next = null;
    UpstreamCall other = null;
    boolean makesRoom = false;
    lock.lock();
    try {
      if (closed) {
        discardLocked(connection);
        return;
      }
      next = budgets.pollWaiting(connection.address);
      if (next == null && budgets.anyWaitingForPool()) {
        // a call to another address waits for a free slot: this connection makes room for it
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
      lock.unlock();
    }
    if (next != null) {
      client.assign(connection, next);
    } else if (makesRoom) {
      connection.close();
      if (other != null) {
        client.connect(other);
      }
    }
  }

  /** Closes a connection that will not be reused; its slot goes to a waiting call. Idempotent. */
  void discard(UpstreamConnection connection) {
    UpstreamCall next;
    lock.lock();
    try {
      if (connection.discarded) {
        return;
      }
      discardLocked(connection);
      next = closed ? null : budgets.nextToOpen();
    } finally {
      lock.unlock();
    }
    connection.close();
    if (next != null) {
      client.connect(next);
    }
  }

  /** An idle connection closed or misbehaved: drop it, unless a call is taking it right now. */
  void idleClosed(UpstreamConnection connection) {
    lock.lock();
    try {
      ArrayDeque<UpstreamConnection> forAddress = idle.get(connection.address);
      if (connection.call == null && forAddress != null && forAddress.contains(connection)) {
        discardLocked(connection);
      }
      // otherwise a call took it just now, and sees the failure itself
    } finally {
      lock.unlock();
    }
  }

  /** Removes a waiting call that was aborted. */
  void removeWaiting(UpstreamCall call) {
    lock.lock();
    try {
      budgets.remove(call);
    } finally {
      lock.unlock();
    }
  }

  /** Removes the calls that waited past their deadline and adds them to {@code into}. */
  void expireWaiting(long now, List<UpstreamCall> into) {
    lock.lock();
    try {
      budgets.expire(now, into);
    } finally {
      lock.unlock();
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
}
