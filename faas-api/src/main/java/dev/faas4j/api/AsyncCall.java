package dev.faas4j.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One asynchronous invocation as a {@link CallQueue} keeps it: the request to make, where to send
 * the answer, and how far it got.
 *
 * @param id the call's id, unique (faas-core makes a random one)
 * @param function the function's key (lower-case name)
 * @param selector a version or alias, or null for the latest version
 * @param method the HTTP method
 * @param pathAndQuery the path (starting with {@code /}) and query to send to the function
 * @param headers the request headers as {@code name: value} lines, one per line
 * @param body the request body, possibly empty
 * @param callbackUrl where the function's answer is posted, or null
 * @param state where the call is
 * @param attempts how many times the current step (running the function, then delivering the
 *     callback) was tried
 * @param notBefore the earliest time the next attempt may start
 * @param created when the call was accepted
 * @param updated when the call last changed
 * @param status the function's final HTTP status, or 0 before it answered
 * @param responseHeaders the function's answer's headers as {@code name: value} lines, or empty
 * @param responseBody the function's answer's body, or empty
 * @param detail the last failure, or empty
 * @param node the id of the node that ran the function's latest attempt, or null before any
 */
public record AsyncCall(
    String id,
    String function,
    String selector,
    String method,
    String pathAndQuery,
    String headers,
    byte[] body,
    String callbackUrl,
    State state,
    int attempts,
    Instant notBefore,
    Instant created,
    Instant updated,
    int status,
    String responseHeaders,
    byte[] responseBody,
    String detail,
    String node) {

  /** Where a call is. Names are stable: stores persist them in lower case. */
  public enum State {
    /** Accepted; the function has not answered yet (it may have been tried, see attempts). */
    QUEUED,
    /** The function answered; its answer is being delivered to the callback URL. */
    DELIVERING,
    /** Done: the function answered and the callback, if any, received the answer. */
    SUCCEEDED,
    /** Given up: the function or the callback kept failing, or the function is gone. */
    FAILED;

    /** Whether a worker still has something to do. */
    public boolean isPending() {
      return this == QUEUED || this == DELIVERING;
    }
  }

  public AsyncCall {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    headers = headers == null ? "" : headers;
    body = body == null ? new byte[0] : body;
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(updated, "updated");
    responseHeaders = responseHeaders == null ? "" : responseHeaders;
    responseBody = responseBody == null ? new byte[0] : responseBody;
    detail = detail == null ? "" : detail;
  }

  /** A copy in another state, after another attempt or none, due at {@code notBefore}. */
  public AsyncCall next(State newState, int newAttempts, Instant newNotBefore, Instant now, String newDetail) {
    return new AsyncCall(id, function, selector, method, pathAndQuery, headers, body, callbackUrl, newState,
        newAttempts, newNotBefore, created, now, status, responseHeaders, responseBody, newDetail, node);
  }

  /** A copy holding the function's answer. */
  public AsyncCall answered(int newStatus, String newResponseHeaders, byte[] newResponseBody) {
    return new AsyncCall(id, function, selector, method, pathAndQuery, headers, body, callbackUrl, state, attempts,
        notBefore, created, updated, newStatus, newResponseHeaders, newResponseBody, detail, node);
  }

  /** A copy that names {@code runner} as the node that ran the function's latest attempt. */
  public AsyncCall ranOn(String runner) {
    return new AsyncCall(id, function, selector, method, pathAndQuery, headers, body, callbackUrl, state, attempts,
        notBefore, created, updated, status, responseHeaders, responseBody, detail, runner);
  }

  /** A string without the bodies or headers, which may hold anything. */
  @Override
  public String toString() {
    return "AsyncCall[" + id + " " + function + (selector == null ? "" : "@" + selector) + " " + method + " "
        + state + ", attempts=" + attempts + "]";
  }
}
