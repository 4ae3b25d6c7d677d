package dev.faas4j.core.internal.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bound on how many requests run at once, with a bounded first-come, first-served queue in
 * front of it. A request that leaves hands its place straight to the longest waiting one, so the
 * waiting requests are served in the order they arrived and a newcomer never overtakes them.
 *
 * <p>Thread-safe.
 */
final class ConcurrencyGate {

  private final int max;
  private final int maxQueued;
  private final Object lock = new Object();
  /** Requests inside; at most {@link #max}. Guarded by {@link #lock}. */
  private int inside;
  /** The waiting requests' turns, oldest first; a turn completes when a place is handed to it. */
  private final ArrayDeque<CompletableFuture<Void>> queue = new ArrayDeque<>();

  /**
   * @param max how many requests may be inside at once, at least 1
   * @param maxQueued how many may wait for a place, 0 or more
   */
  ConcurrencyGate(int max, int maxQueued) {
    if (max < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("max must be at least 1 and maxQueued not negative: " + max + ", " + maxQueued);
    }
    this.max = max;
    this.maxQueued = maxQueued;
  }

  int max() {
    return max;
  }

  /** Enters if a place is free and nobody waits; never waits. */
  boolean tryEnter() {
    synchronized (lock) {
      if (inside < max && queue.isEmpty()) {
        inside++;
        return true;
      }
      return false;
    }
  }

  /**
   * Enters, waiting in line for up to {@code timeout} if the gate is full.
   *
   * @return {@link Outcome#ENTERED}, or why not: the queue was full, or the wait timed out
   * @throws InterruptedException if interrupted while waiting (having not entered)
   */
  Outcome enter(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> turn;
    synchronized (lock) {
      if (inside < max && queue.isEmpty()) {
        inside++;
        return Outcome.ENTERED;
      }
      if (queue.size() >= maxQueued) {
        return Outcome.QUEUE_FULL;
      }
      turn = new CompletableFuture<>();
      queue.addLast(turn);
    }
    try {
      turn.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return Outcome.ENTERED;
    } catch (TimeoutException e) {
      return giveUp(turn) ? Outcome.TIMED_OUT : Outcome.ENTERED;
    } catch (InterruptedException e) {
      if (!giveUp(turn)) {
        leave(); // handed a place as the interrupt came: give it on
      }
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a turn is only ever completed normally", e);
    }
  }

  /** Leaves the line; false if a place was handed to {@code turn} first (the caller is inside then). */
  private boolean giveUp(CompletableFuture<Void> turn) {
    synchronized (lock) {
      if (turn.isDone()) {
        return false;
      }
      queue.remove(turn);
      return true;
    }
  }

  /** Leaves: the place goes to the longest waiting request, if any. Call once per entry. */
  void leave() {
    synchronized (lock) {
      CompletableFuture<Void> next = queue.pollFirst();
      if (next == null) {
        inside--;
      } else {
        next.complete(null); // under the lock, so that giveUp sees it done or not queued, never between
      }
    }
  }

  /** How many requests are inside. */
  int inside() {
    synchronized (lock) {
      return inside;
    }
  }

  /** How many requests wait in line. */
  int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** How {@link #enter} ended. */
  enum Outcome {
    ENTERED,
    QUEUE_FULL,
    TIMED_OUT
  }
}
