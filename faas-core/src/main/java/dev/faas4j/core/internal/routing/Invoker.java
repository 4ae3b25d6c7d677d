package dev.faas4j.core.internal.routing;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.Validation;
import dev.faas4j.core.internal.proxy.DirectExchange;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Calls a function from inside this JVM ({@code Faas.invoke}), without HTTP between the caller and
 * faas4j: the request becomes a {@link DirectExchange} and takes the same path as any function
 * traffic ({@link FunctionTraffic#serveDirect}): the hop limit, version resolution, a start if the
 * version sleeps, the instance's connection budget, the body limit and the response timeout, then
 * the proxy (HTTP to workerd or a container, or a call of an in-process handler).
 *
 * <p>What the function answers, whatever its status, is returned. What faas4j refuses or cannot
 * deliver is thrown as a {@link FaasException} with the reason an HTTP client would have seen as
 * the status: NOT_FOUND, LOOP_DETECTED, PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, UNAVAILABLE,
 * UPSTREAM_ERROR, UPSTREAM_TIMEOUT.
 *
 * <p>Thread-safe; each call blocks its thread until the answer is complete.
 */
public final class Invoker {

  private final FunctionTraffic traffic;
  private final String domain;

  /**
   * @param traffic the request path function traffic takes
   * @param domain the function domain, for the {@code Host} a function sees
   */
  public Invoker(FunctionTraffic traffic, String domain) {
    this.traffic = Objects.requireNonNull(traffic, "traffic");
    this.domain = Objects.requireNonNull(domain, "domain");
  }

  /**
   * Sends {@code request} to a version of a function and returns its whole answer.
   *
   * @param versionOrAlias a version or alias; null or empty for the latest version
   * @throws FaasException INVALID_REQUEST for a name or selector that is not a DNS label, and
   *     every failure listed in the class comment
   */
  public FunctionResponse invoke(String name, String versionOrAlias, FunctionRequest request) {
    Objects.requireNonNull(request, "request");
    if (!Validation.isLabel(name)) {
      throw FaasException.invalid("function name must be a DNS label (letters, digits and '-'), was '"
          + abbreviate(name) + "'");
    }
    String selector = versionOrAlias == null || versionOrAlias.isEmpty() ? null : versionOrAlias;
    if (selector != null && !Validation.isLabel(selector)) {
      throw FaasException.invalid("version or alias must be a DNS label (letters, digits and '-'), was '"
          + abbreviate(selector) + "'");
    }
    String host = (selector == null ? "" : selector + ".") + name + "." + domain;
    DirectExchange exchange = new DirectExchange(request, host);
    Route route = new Route(name, selector, request.pathAndQuery());
    try {
      CompletionStage<Void> outcome = traffic.serveDirect(route, exchange);
      outcome.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw failure(e.getCause() != null ? e.getCause() : e, exchange);
    } catch (IOException e) {
      throw failure(e, exchange);
    }
    return exchange.response();
  }

  /** The exception for an exchange that ended without the function's whole answer. */
  private static FaasException failure(Throwable cause, DirectExchange exchange) {
    if (cause instanceof FaasException e) {
      return new FaasException(e.reason(), e.getMessage(), e); // thrown again here, for the caller's stack
    }
    Throwable why = exchange.aborted() != null ? exchange.aborted() : cause;
    return new FaasException(Reason.UPSTREAM_ERROR,
        "the function's answer broke off before it was complete: " + why.getMessage(), why);
  }

  private static String abbreviate(String value) {
    if (value == null) {
      return "null";
    }
    return value.length() <= 70 ? value : value.substring(0, 67) + "...";
  }
}
