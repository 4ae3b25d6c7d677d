package dev.faas4j.api;

import java.util.Objects;

/**
 * The one unchecked exception faas4j throws to its callers.
 *
 * <p>Each exception carries a {@link Reason} so that an HTTP layer can map every failure to a
 * status code in one place ({@link Reason#httpStatus()}), and a message written for the person
 * who will read it: it says what was wrong and, where possible, what to do about it. Messages
 * never contain stack traces and are safe to show to API clients.
 */
public class FaasException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why an operation failed, in a form a program can act on. */
  public enum Reason {
    /** The request is malformed or names something invalid (a bad name, a missing field). */
    INVALID_REQUEST(400),
    /** The caller did not authenticate, or its credentials are wrong. */
    UNAUTHORIZED(401),
    /** The function, version or alias does not exist. */
    NOT_FOUND(404),
    /** The request contradicts the current state (a version redeployed with other code, a stale write). */
    CONFLICT(409),
    /** The client sent its request, or read the answer, too slowly. */
    REQUEST_TIMEOUT(408),
    /** A body or a value is larger than the configured limit. */
    PAYLOAD_TOO_LARGE(413),
    /** The function itself was refused by its provider: code that does not start, an image that does not exist. */
    INVALID_FUNCTION(422),
    /** A limit on concurrent requests was reached and the wait for a place ended; retry later. */
    TOO_MANY_REQUESTS(429),
    /** An unexpected failure inside faas4j, a provider or a store. */
    INTERNAL(500),
    /** The operation needs a capability the configured provider or store does not have. */
    NOT_SUPPORTED(501),
    /** The function's instance answered badly or the connection to it failed. */
    UPSTREAM_ERROR(502),
    /** The function cannot be served now (it failed to start, or a dependency such as the store is down). */
    UNAVAILABLE(503),
    /** The function's instance did not answer in time. */
    UPSTREAM_TIMEOUT(504),
    /** The request has already passed through functions as many times as allowed: a call loop. */
    LOOP_DETECTED(508);

    private final int httpStatus;

    Reason(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    /** The HTTP status code that represents this reason. */
    public int httpStatus() {
      return httpStatus;
    }
  }

  private final Reason reason;

  public FaasException(Reason reason, String message) {
    this(reason, message, null);
  }

  public FaasException(Reason reason, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why this operation failed; never null. */
  public Reason reason() {
    return reason;
  }

  /** Shorthand for {@code new FaasException(Reason.INVALID_REQUEST, message)}. */
  public static FaasException invalid(String message) {
    return new FaasException(Reason.INVALID_REQUEST, message);
  }

  /** Shorthand for {@code new FaasException(Reason.NOT_FOUND, message)}. */
  public static FaasException notFound(String message) {
    return new FaasException(Reason.NOT_FOUND, message);
  }

  /** Shorthand for {@code new FaasException(Reason.CONFLICT, message)}. */
  public static FaasException conflict(String message) {
    return new FaasException(Reason.CONFLICT, message);
  }
}
