package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.http.UpstreamException;
import dev.faas4j.core.internal.telemetry.ProxyFailure;
import java.io.IOException;
import java.util.concurrent.CompletionException;

/**
 * What the client got from an exchange the proxy ended, as metrics count it: the status code, and
 * the kind of failure if there was one.
 */
public final class ProxyOutcome {

  /** The status counted when the client went away before any answer was committed (nginx's 499). */
  public static final int CLIENT_CLOSED_REQUEST = 499;

  private ProxyOutcome() {}

  /**
   * The status the client got for an exchange that ended with {@code failure} (null for none):
   * the error's status, or the status already committed when the answer was cut short.
   */
  public static int status(ClientExchange client, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause == null) {
      return client.status();
    }
    if (cause instanceof FaasException e) {
      return e.reason().httpStatus();
    }
    return client.isCommitted() || cause instanceof ReverseProxy.ResponseAbortedException
        ? client.status() : CLIENT_CLOSED_REQUEST;
  }

  /** The kind of an exchange's failure, or null when {@code failure} is null or not the proxy's. */
  public static ProxyFailure kind(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof FaasException e) {
      return switch (e.reason()) {
        case UPSTREAM_TIMEOUT -> ProxyFailure.TIMEOUT;
        case PAYLOAD_TOO_LARGE -> ProxyFailure.BODY_TOO_LARGE;
        case REQUEST_TIMEOUT -> ProxyFailure.CLIENT_GONE;
        case UNAVAILABLE -> ProxyFailure.BUSY;
        case UPSTREAM_ERROR -> upstreamKind(e.getCause());
        default -> null;
      };
    }
    if (cause instanceof ReverseProxy.ResponseAbortedException) {
      return upstreamKind(cause.getCause());
    }
    return cause instanceof IOException ? ProxyFailure.CLIENT_GONE : null;
  }

  private static ProxyFailure upstreamKind(Throwable cause) {
    if (cause instanceof UpstreamException u) {
      return switch (u.kind()) {
        case CONNECT_REFUSED -> ProxyFailure.REFUSED;
        case CONNECT_TIMEOUT, RESPONSE_TIMEOUT -> ProxyFailure.TIMEOUT;
        case CLIENT_STALLED -> ProxyFailure.CLIENT_GONE;
        case POOL_EXHAUSTED -> ProxyFailure.BUSY;
        default -> ProxyFailure.RESET;
      };
    }
    return ProxyFailure.RESET;
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
