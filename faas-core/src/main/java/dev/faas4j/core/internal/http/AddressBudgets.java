package dev.faas4j.core.internal.http;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;

/**
 * The upstream pool's bookkeeping per address: how many connections each address holds (open, being
 * opened, or idle in the pool), and the calls waiting for one.
 *
 * <p>Two limits hold at once: at most {@code maxConnections} connections in all, and at most
 * {@code maxPerAddress} to any one address. Without the second, the callers of one address (slow
 * uploads, slow readers) could hold every connection of the pool and the calls to every other
 * address would find none. A call whose address is at its budget waits in that address's queue and is served by
 * that address's connections as they come free; a call under its budget that finds the whole pool
 * busy waits too, and slots freed in the pool go round-robin to the addresses waiting for one, so
 * a long queue for one address does not push every other address's calls back. At most {@code
 * maxPerAddress} calls wait per address; a call beyond that is refused at once.
 *
 * <p>Not thread-safe: {@link UpstreamClient} calls it with its pool lock held. Nothing here is
 * allocated for a call that reuses an idle connection, nor, after an address's first connection,
 * for one that opens a new connection.
 */
final class AddressBudgets {

  /** A call waiting for a connection, and until when it may wait. */
  record Waiting(UpstreamCall call, long deadline) {}

  /** One address's connections and queue. */
  private static final class Budget {
    int open;
    /** Created when the first call waits. */
    ArrayDeque<Waiting> waiting;
    /** Listed in {@link #turns}. */
    boolean hasTurn;

    int waitingCount() {
      return waiting == null ? 0 : waiting.size();
    }
  }

  private final int maxConnections;
  private final int maxPerAddress;
  private final HashMap<InetSocketAddress, Budget> budgets = new HashMap<>();
  /**
   * Addresses with calls waiting for a slot of the pool, in the order they get one. Entries may go
   * stale (their calls were served otherwise, or expired); they are skipped when their turn comes.
   */
  private final ArrayDeque<Budget> turns = new ArrayDeque<>();
  private int open;
  private int waiting;

  AddressBudgets(int maxConnections, int maxPerAddress) {
    this.maxConnections = maxConnections;
    this.maxPerAddress = maxPerAddress;
  }

  /** Connections open or being opened, over all addresses. */
  int open() {
    return open;
  }

  /** Calls waiting, over all addresses. */
  int waiting() {
    return waiting;
  }

  /** Whether {@code address} holds all the connections it may. */
  boolean atAddressBudget(InetSocketAddress address) {
    Budget budget = budgets.get(address);
    return budget != null && budget.open >= maxPerAddress;
  }

  /** Whether every connection of the pool is taken. */
  boolean poolFull() {
    return open >= maxConnections;
  }

  /** A connection to {@code address} is being opened: counts it. */
  void opened(InetSocketAddress address) {
    budgets.computeIfAbsent(address, a -> new Budget()).open++;
    open++;
  }

  /**
   * A connection to {@code address} was closed (or never came to be): uncounts it. A call of that
   * address that waited for it to fall under its budget now waits for a slot of the pool.
   */
  void closed(InetSocketAddress address) {
    open--;
    Budget budget = budgets.get(address);
    if (budget == null) {
      return;
    }
    budget.open--;
    if (budget.waitingCount() > 0) {
      giveTurn(budget);
    } else if (budget.open <= 0) {
      budgets.remove(address);
    }
  }

  /**
   * Queues a call that got no connection.
   *
   * @return false when its address has {@code maxPerAddress} calls waiting already: refuse it
   */
  boolean enqueue(UpstreamCall call, long deadline) {
    Budget budget = budgets.computeIfAbsent(call.address, a -> new Budget());
    if (budget.waitingCount() >= maxPerAddress) {
      return false;
    }
    if (budget.waiting == null) {
      budget.waiting = new ArrayDeque<>();
    }
    budget.waiting.add(new Waiting(call, deadline));
    waiting++;
    if (budget.open < maxPerAddress) {
      giveTurn(budget); // only the pool's limit holds it back
    }
    return true;
  }

  /** The next call waiting for {@code address}, to take over a connection to it; or null. */
  UpstreamCall pollWaiting(InetSocketAddress address) {
    Budget budget = budgets.get(address);
    if (budget == null || budget.waitingCount() == 0) {
      return null;
    }
    waiting--;
    return budget.waiting.poll().call();
  }

  /** Whether a call under its address's budget waits for a slot of the pool. */
  boolean anyWaitingForPool() {
    Budget next;
    while ((next = turns.peek()) != null && !canOpen(next)) {
      turns.poll().hasTurn = false;
    }
    return next != null;
  }

  /**
   * Takes the call whose turn it is to open a connection, counted as opening; or null when the
   * pool is full or no call under its budget waits.
   */
  UpstreamCall nextToOpen() {
    while (open < maxConnections) {
      Budget budget = turns.poll();
      if (budget == null) {
        return null;
      }
      budget.hasTurn = false;
      if (!canOpen(budget)) {
        continue; // stale
      }
      Waiting next = budget.waiting.poll();
      waiting--;
      budget.open++;
      open++;
      if (budget.waitingCount() > 0 && budget.open < maxPerAddress) {
        giveTurn(budget); // behind every other address waiting
      }
      return next.call();
    }
    return null;
  }

  /** Removes a waiting call (it was aborted); false if it was not waiting. */
  boolean remove(UpstreamCall call) {
    Budget budget = budgets.get(call.address);
    if (budget == null || budget.waiting == null) {
      return false;
    }
    for (Iterator<Waiting> it = budget.waiting.iterator(); it.hasNext(); ) {
      if (it.next().call() == call) {
        it.remove();
        waiting--;
        dropIfUnused(call.address, budget);
        return true;
      }
    }
    return false;
  }

  /** Removes the calls that waited past their deadline and adds them to {@code into}. */
  void expire(long now, List<UpstreamCall> into) {
    if (waiting == 0) {
      return;
    }
    for (Iterator<Budget> budgetIt = budgets.values().iterator(); budgetIt.hasNext(); ) {
      Budget budget = budgetIt.next();
      if (budget.waiting == null) {
        continue;
      }
      for (Iterator<Waiting> it = budget.waiting.iterator(); it.hasNext(); ) {
        Waiting w = it.next();
        if (now - w.deadline() >= 0) {
          it.remove();
          waiting--;
          into.add(w.call());
        }
      }
      if (budget.open <= 0 && budget.waiting.isEmpty()) {
        budgetIt.remove();
      }
    }
  }

  /** Removes every waiting call and adds it to {@code into}. */
  void drain(List<UpstreamCall> into) {
    for (Budget budget : budgets.values()) {
      if (budget.waiting != null) {
        budget.waiting.forEach(w -> into.add(w.call()));
        budget.waiting.clear();
      }
    }
    waiting = 0;
    turns.clear();
  }

  private boolean canOpen(Budget budget) {
    return budget.waitingCount() > 0 && budget.open < maxPerAddress;
  }

  private void giveTurn(Budget budget) {
    if (!budget.hasTurn) {
      budget.hasTurn = true;
      turns.add(budget);
    }
  }

  private void dropIfUnused(InetSocketAddress address, Budget budget) {
    if (budget.open <= 0 && budget.waitingCount() == 0) {
      budgets.remove(address);
    }
  }
}
