package dev.faas4j.workerd.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The crash back-off of one version: after {@code limit} unexpected exits (or failed starts)
 * within {@code window}, the version is not restarted for {@code backoff}. Keeps the last crash's
 * explanation for the version's status. Thread-safe.
 */
public final class CrashHistory {

  /** The provider-wide policy; one history per version follows it. */
  public record Policy(int limit, Duration window, Duration backoff, Clock clock) {
  }

  private final Policy policy;
  private final ArrayDeque<Instant> crashes = new ArrayDeque<>();
  private volatile Instant backoffUntil;
  private volatile String detail = "";

  public CrashHistory(Policy policy) {
    this.policy = policy;
  }

  /**
   * Records a crash explained by {@code detail}; returns the end of the back-off it started, if
   * this crash was the one too many.
   */
  public synchronized Optional<Instant> record(String detail) {
    Instant now = policy.clock().instant();
    this.detail = detail;
    crashes.addLast(now);
    while (!crashes.isEmpty() && crashes.peekFirst().isBefore(now.minus(policy.window()))) {
      crashes.removeFirst();
    }
    if (crashes.size() < policy.limit()) {
      return Optional.empty();
    }
    backoffUntil = now.plus(policy.backoff());
    crashes.clear();
    return Optional.of(backoffUntil);
  }

  /** The end of the back-off, while it lasts. */
  public Optional<Instant> backingOffUntil() {
    Instant until = backoffUntil;
    return until != null && policy.clock().instant().isBefore(until) ? Optional.of(until) : Optional.empty();
  }

  /** The last crash's explanation ({@code ""} before the first). */
  public String detail() {
    return detail;
  }

  /** "crashed 3 times within 60 s", for messages. */
  public String summary() {
    return "crashed " + policy.limit() + " times within " + policy.window().toSeconds() + " s";
  }
}
