package dev.faas4j.core.internal.proxy;

import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Decides when a client that an upstream call waits on has stalled: while the function waits for
 * more of the request body ({@code clientToProxy}), or the answer waits for the client to take it
 * ({@code proxyToClient}), the client must move at least {@code minBytes} within every period of
 * {@code periodNanos}. A client that does not holds a pooled connection for nothing; the call
 * then fails with {@link ClientStallException} and its connection is closed.
 *
 * <p>Periods start when the call starts waiting on the client and restart whenever it stops (the
 * function's turn) or a period passes with enough bytes, so only time spent waiting on the client
 * counts, and a client that keeps the pace is never cut. Checked by the I/O thread's sweep; its state
 * lives in the call ({@link UpstreamCall#clientWaitSince}, {@link UpstreamCall#clientProgressMark}).
 * Immutable and thread-safe.
 */
final class ClientPace {

  /** {@link UpstreamCall#clientWaitSince} when the call does not wait on its client. */
  static final long NOT_WAITING = Long.MIN_VALUE;

  /** The client moved too few bytes in a period while the call waited on it. */
  static final class ClientStallException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    ClientStallException(String message) {
      super(message);
    }
  }

  private final long periodNanos;
  private final long minBytes;

  /**
   * @param periodNanos how long each period of waiting on the client lasts
   * @param minBytes the bytes the client must move within a period, at least 1
   */
  ClientPace(long periodNanos, long minBytes) {
    this.periodNanos = periodNanos;
    this.minBytes = Math.max(1, minBytes);
  }

  static ClientPace of(ProxySettings settings) {
    return new ClientPace(settings.clientStallTimeout().toNanos(), settings.minClientBytesPerStall());
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
  ClientStallException stallOf(UpstreamCall call) {
    String what = call.clientBodyPending() ? "sent its request body" : "read the answer";
    return new ClientStallException(
        "the client " + what + " too slowly: fewer than " + minBytes + " bytes in "
            + TimeUnit.NANOSECONDS.toMillis(periodNanos) + " ms");
  }
}
