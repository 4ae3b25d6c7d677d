package dev.faas4j.core.internal.async;

import java.time.Duration;

/**
 * How asynchronous invocations run.
 *
 * @param workers how many calls this node runs at once
 * @param maxPending the most calls pending in the queue (all nodes); beyond it a new call gets 429
 * @param maxAttempts how many times a step (the function, then the callback) is tried before the call fails
 * @param firstBackoff the wait before the second attempt; it doubles with each attempt
 * @param maxBackoff the longest wait between attempts
 * @param lease how long a node holds a call it claimed; after that (it died) another node may run it
 * @param pollInterval how often idle workers look for due calls (new calls on this node wake them at once)
 * @param retention how long finished calls stay readable with {@code GET /api/calls/{id}}
 * @param callbacks which addresses callbacks may reach
 */
public record AsyncSettings(
    int workers,
    int maxPending,
    int maxAttempts,
    Duration firstBackoff,
    Duration maxBackoff,
    Duration lease,
    Duration pollInterval,
    Duration retention,
    CallbackGuard callbacks) {

  public AsyncSettings {
    if (workers < 1 || maxPending < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("async workers, max pending calls and max attempts must be at least 1");
    }
  }

  /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed tries. */
  Duration backoff(int attempt) {
    Duration wait = firstBackoff.multipliedBy(1L << Math.min(attempt - 1, 30));
    return wait.compareTo(maxBackoff) > 0 || wait.isNegative() ? maxBackoff : wait;
  }
}
