package dev.faas4j.core.internal.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * Why an {@link UpstreamCall} failed, as {@link UpstreamCall.Handler#onFailure} reports it: a
 * {@link Kind} the caller can act on, and a message that describes the failure without naming the
 * upstream's address. The caller decides what a kind means to its own users (a status, a retry).
 *
 * <p>Immutable, like any exception once thrown.
 */
public final class UpstreamException extends IOException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, in the order a call meets it. */
  public enum Kind {
    /** Every connection the call may use stayed busy for the whole wait, or too many calls waited. */
    POOL_EXHAUSTED(false),
    /** The upstream address refused the TCP connection. */
    CONNECT_REFUSED(false),
    /** No TCP connection within the connect timeout. */
    CONNECT_TIMEOUT(true),
    /** The TCP connection could not be opened for another reason (no route, bad address, ...). */
    CONNECT_FAILED(false),
    /** The upstream stayed silent longer than the call's timeout, or took none of its body. */
    RESPONSE_TIMEOUT(true),
    /** The party that feeds the call's body, or drains its answer, moved too few bytes in time. */
    CLIENT_STALLED(true),
    /** The upstream's bytes are not a valid HTTP/1.x response. */
    PROTOCOL_ERROR(false),
    /** The connection failed while the call was on it: reset, closed early, a write refused. */
    CONNECTION_FAILED(false),
    /** The client was closed while the call ran or waited. */
    CLOSED(false);

    private final boolean timeout;

    Kind(boolean timeout) {
      this.timeout = timeout;
    }

    /** Whether this is a failure of waiting too long (never worth sending the request again). */
    public boolean isTimeout() {
      return timeout;
    }
  }

  private final Kind kind;

  UpstreamException(Kind kind, String message) {
    this(kind, message, null);
  }

  UpstreamException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }

  /**
   * {@code failure} as an upstream failure: itself when it is one already, else wrapped with the
   * kind its type and the connection's state tell, and its message (or its type's name when it has
   * none).
   *
   * @param connected whether the call's connection was established when it failed
   */
  static UpstreamException of(IOException failure, boolean connected) {
    if (failure instanceof UpstreamException upstream) {
      return upstream;
    }
    Kind kind;
    if (failure instanceof ConnectException) {
      kind = Kind.CONNECT_REFUSED;
    } else {
      kind = connected ? Kind.CONNECTION_FAILED : Kind.CONNECT_FAILED;
    }
    String message = failure.getMessage();
    return new UpstreamException(kind, message == null ? failure.getClass().getSimpleName() : message, failure);
  }

  /** Whether {@code failure} came from waiting too long. */
  static boolean isTimeout(IOException failure) {
    return failure instanceof SocketTimeoutException
        || (failure instanceof UpstreamException upstream && upstream.kind.isTimeout());
  }
}
