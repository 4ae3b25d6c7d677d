package dev.faas4j.core.internal.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Decides when the client an upstream call waits on has stalled (the client: whoever feeds the
 * call's request body and takes its answer). While the upstream waits for more of the request body,
 * or the answer waits for the client to take it, the client must move at least {@code minBytes}
 * within every period. A client that does not holds a pooled connection for nothing; the call then
 * fails with an {@link UpstreamException} of kind {@link UpstreamException.Kind#CLIENT_STALLED}, and
 * its connection is closed.
 *
 * <p>Periods start when the call starts waiting on the client and restart whenever it stops (the
 * upstream's turn) or a period passes with enough bytes, so only time spent waiting on the client
 * counts, and a client that keeps the pace is never cut. Checked by the I/O thread's sweep; its state
 * lives in the call ({@link UpstreamCall#clientWaitSince}, {@link UpstreamCall#clientProgressMark}).
 * Immutable and thread-safe.
 */
public final class ClientPace {

  /** {@link UpstreamCall#clientWaitSince} when the call does not wait on its client. */
  static final long NOT_WAITING = Long.MIN_VALUE;

  private final long periodNanos;
  private final long minBytes;

  /**
   * @param period how long each period of waiting on the client lasts
   * @param minBytes the bytes the client must move within a period; less than 1 counts as 1
   */
  public ClientPace(Duration period, long minBytes) {
    this.periodNanos = period.toNanos();
    this.minBytes = Math.max(1, minBytes);
  }

  /**
   * At {@code now}, with the call waiting on its client that has moved {@code progress} bytes in
   * all: whether a period ended with too few of them. Starts a period when none runs.
   */
  boolean stalled(UpstreamCall call, long now, long progress) {
    long since = call.clientWaitSince;
    if (since == NOT_WAITING) {
      call.clientProgressMark = progress;
      call.clientWaitSince = now;
      return false;
    }
    if (now - since < periodNanos) {
      return false;
    }
    if (progress - call.clientProgressMark < minBytes) {
      return true;
    }
    call.clientProgressMark = progress;
    call.clientWaitSince = now;
    return false;
  }

  /** The failure of a call whose client stalled, saying which way. */
  UpstreamException stallOf(UpstreamCall call) {
    String what = call.clientBodyPending() ? "sent its request body" : "read the answer";
    return new UpstreamException(UpstreamException.Kind.CLIENT_STALLED,
        "the client " + what + " too slowly: fewer than " + minBytes + " bytes in "
            + TimeUnit.NANOSECONDS.toMillis(periodNanos) + " ms");
  }
}
