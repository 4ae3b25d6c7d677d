package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Endpoint;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spreads one version's requests over its ready replicas: each request goes to the endpoint with
 * the fewest requests outstanding, ties broken in turn (so that equal replicas take turns).
 *
 * <p>Thread-safe and lock-free; counts are read and then incremented, so two requests picking at
 * the same instant may both take the same replica: good enough for spreading, never wrong.
 */
final class LeastOutstanding {

  /** A chosen endpoint and its count of outstanding requests, to {@link #release} when the request ends. */
  record Pick(Endpoint endpoint, AtomicInteger outstanding) {
    /** The request is over. */
    void release() {
      if (outstanding != null) {
        outstanding.decrementAndGet();
      }
    }
  }

  private final ConcurrentHashMap<Endpoint, AtomicInteger> outstanding = new ConcurrentHashMap<>();
  private final AtomicInteger turn = new AtomicInteger();

  /** Picks from {@code ready} and counts the request on it; null when {@code ready} is empty. */
  Pick pick(List<Endpoint> ready) {
    int n = ready.size();
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      Endpoint only = ready.get(0);
      AtomicInteger count = outstanding.computeIfAbsent(only, e -> new AtomicInteger());
      count.incrementAndGet();
      return new Pick(only, count);
    }
    int start = Math.floorMod(turn.getAndIncrement(), n);
    Endpoint best = null;
    AtomicInteger bestCount = null;
    int bestValue = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      Endpoint candidate = ready.get((start + i) % n);
      AtomicInteger count = outstanding.computeIfAbsent(candidate, e -> new AtomicInteger());
      int value = count.get();
      if (value < bestValue) {
        best = candidate;
        bestCount = count;
        bestValue = value;
      }
    }
    bestCount.incrementAndGet();
    return new Pick(best, bestCount);
  }

  /** The requests outstanding on {@code endpoint} now. */
  int outstanding(Endpoint endpoint) {
    AtomicInteger count = outstanding.get(endpoint);
    return count == null ? 0 : count.get();
  }

  /**
   * Forgets the endpoints not in {@code ready} (replicas that stopped). Requests still running on
   * them release the count they hold, which is no longer in the map.
   */
  void retain(List<Endpoint> ready) {
    outstanding.keySet().retainAll(ready);
  }
}
