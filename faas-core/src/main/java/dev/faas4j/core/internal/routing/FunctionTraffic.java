package dev.faas4j.core.internal.routing;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.TrafficSplit;
import dev.faas4j.core.internal.control.Lifecycle;
import dev.faas4j.core.internal.control.Registry;
import dev.faas4j.core.internal.proxy.ClientExchange;
import dev.faas4j.core.internal.proxy.Hops;
import dev.faas4j.core.internal.proxy.ProxyOutcome;
import dev.faas4j.core.internal.proxy.ReverseProxy;
import dev.faas4j.core.internal.runtime.Admission;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Lease;
import dev.faas4j.core.internal.telemetry.Metrics;
import dev.faas4j.core.internal.telemetry.ProxyFailure;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The request path, after the servlet filter or the Jetty handler: the {@link Router} names the
 * function, the {@link Registry} resolves it to a version (a weighted alias through the
 * {@link TrafficSplitter}), {@link Instances} lease a ready
 * instance of it (starting it if needed), and the {@link ReverseProxy} carries the exchange.
 *
 * <p>Before anything is forwarded the request passes the concurrency limits ({@link Admission});
 * every answer the function gives names its version in {@value TrafficSplitter#VERSION_HEADER}.
 *
 * <p>Thread-safe.
 */
public final class FunctionTraffic {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionTraffic.class);

  private final Router router;
  private final Registry registry;
  private final Instances instances;
  private final ReverseProxy proxy;
  private final Lifecycle lifecycle;
  /** Requests that arrive having been forwarded to functions this many times are refused (508). */
  private final int maxHops;
  private final Metrics metrics;
  private final TrafficSplitter splitter;
  private final Admission admission;

  public FunctionTraffic(Router router, Registry registry, Instances instances, ReverseProxy proxy, Lifecycle lifecycle,
      int maxHops, Metrics metrics, TrafficSplitter splitter, Admission admission) {
    this.splitter = splitter;
    this.admission = admission;
    this.router = router;
    this.registry = registry;
    this.instances = instances;
    this.proxy = proxy;
    this.lifecycle = lifecycle;
    this.maxHops = maxHops;
    this.metrics = metrics;
  }

  /**
   * The route of a request, or null if it is not function traffic.
   *
   * @param host the Host header, or null
   * @param path the raw path, without the servlet context path
   * @param query the raw query, or null
   * @throws FaasException NOT_FOUND for a host under the function domain that cannot name a function
   */
  public Route route(String host, String path, String query) {
    return router.route(host, path, query);
  }

  /** The concurrency limits requests pass (for tests: how many wait). */
  public Admission admission() {
    return admission;
  }

  /**
   * {@link #serve} or, with {@code onlyIfReady}, {@link #serveIfReady}, answering their failures
   * as JSON errors ({@link FaasException}'s status, or 500 for a bug, which is logged).
   *
   * @return false only when {@code onlyIfReady} and the request was left alone
   */
  public boolean serveAnsweringErrors(Route route, ClientExchange client, boolean onlyIfReady) throws IOException {
    MDC.put(RequestIds.MDC_KEY, client.requestId());
    try {
      Hops.check(client, maxHops); // before anything else: a loop must not even start a version
      if (onlyIfReady) {
        return serveIfReady(route, client);
      }
      serve(route, client);
    } catch (Admission.Overloaded e) {
      client.sendError(e.reason().httpStatus(), e.getMessage(), "Retry-After",
          Integer.toString(Admission.RETRY_AFTER_SECONDS));
    } catch (FaasException e) {
      client.sendError(e.reason().httpStatus(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("failed to serve {}", route, e);
      client.sendError(500, "internal error while serving the function; see the server log");
    } finally {
      MDC.remove(RequestIds.MDC_KEY);
    }
    return true;
  }

  /**
   * Serves a function request: resolve, start if needed, proxy. The instance stays leased (and so
   * counted as busy, never suspended) until the proxy's exchange is over, which may be after this
   * returns: the answer is written asynchronously when the request is in async mode. May block:
   * for a store lookup, or while the version starts.
   *
   * @return the outcome of the exchange, as {@link ReverseProxy#forward} reports it
   * @throws FaasException before anything was sent: unknown function or version, cannot start
   */
  CompletionStage<Void> serve(Route route, ClientExchange client) throws IOException {
    lifecycle.checkOpen();
    FunctionVersion version = resolve(route, client);
    Admission.Permit permit = admission.enter(version.spec());
    Lease lease;
    try {
      lease = instances.acquire(version.spec().ref());
    } catch (RuntimeException | Error e) {
      permit.close();
      throw e;
    }
    return forward(route, client, lease, permit);
  }

  /**
   * Serves a request made in this JVM ({@link Invoker}): the hop limit, then {@link #serve}.
   *
   * @throws FaasException before anything was sent, as {@link #serve}, or LOOP_DETECTED
   */
  CompletionStage<Void> serveDirect(Route route, ClientExchange client) throws IOException {
    Hops.check(client, maxHops);
    return serve(route, client);
  }

  /**
   * Serves a function request only if that cannot block: the function is known here, and its
   * version is running with an HTTP endpoint. Otherwise does nothing and returns false, and the
   * caller {@linkplain #serve serves} it from a thread that may block (which also explains an
   * unknown version or alias).
   *
   * @throws FaasException UNAVAILABLE when faas4j is shut down; nothing was sent then
   */
  boolean serveIfReady(Route route, ClientExchange client) throws IOException {
    lifecycle.checkOpen();
    Optional<FunctionState> state = registry.get(route.name());
    if (state.isEmpty()) {
      return false; // may be in the store: another gateway may have deployed it
    }
    FunctionVersion version = version(state.get(), route, client).orElse(null);
    if (version == null) {
      return false; // serve() explains
    }
    Admission.Permit permit = admission.tryEnter(version.spec());
    if (permit == null) {
      return false; // serve() waits for a place, or refuses
    }
    Lease lease = instances.tryAcquire(version.spec().ref());
    if (lease == null) {
      permit.close();
      return false;
    }
    if (!(lease.endpoint() instanceof Endpoint.Http)) {
      lease.close(); // in-process functions run the application's code on the calling thread
      permit.close();
      return false;
    }
    forward(route, client, lease, permit);
    return true;
  }

  private CompletionStage<Void> forward(Route route, ClientExchange client, Lease lease,
      Admission.Permit permit) throws IOException {
    Metrics.Invocations meters = metrics.invocations(lease.spec().ref());
    long begun = meters.begin();
    CompletionStage<Void> exchange;
    try {
      client.setHeader(TrafficSplitter.VERSION_HEADER, lease.spec().version());
      exchange = proxy.forward(client, lease.endpoint(), route.upstreamPathAndQuery(), lease.spec().limits().timeout());
    } catch (IOException | RuntimeException | Error e) {
      lease.close();
      permit.close();
      ended(client, lease, meters, begun, e);
      throw e;
    }
    return exchange.whenComplete((ok, failure) -> {
      lease.close();
      permit.close();
      ended(client, lease, meters, begun, failure);
      if (failure != null) {
        LOG.debug("{} (request {}): {}", route, client.requestId(), failure.toString());
        if (timedOut(failure)) {
          instances.requestTimedOut(lease.spec().ref());
        }
      }
    });
  }

  /** Counts an ended exchange: its status and duration, and the kind of its failure if it failed. */
  private void ended(ClientExchange client, Lease lease, Metrics.Invocations meters, long begun,
      Throwable failure) {
    if (failure != null) {
      ProxyFailure kind = ProxyOutcome.kind(failure);
      if (kind != null) {
        metrics.proxyFailed(lease.spec().ref(), kind);
      }
    }
    int status = ProxyOutcome.status(client, failure);
    if (status >= 500 && failure == null) {
      // the function's own 5xx (e.g. workerd's answer to an uncaught exception): this line ties the
      // caller's request id to the function's log lines of the same moment
      LOG.warn("{} answered {} to request {}", lease.spec().ref(), status, client.requestId());
    }
    meters.ended(begun, status); // last: tests wait for the request count
  }

  /** Whether the exchange ended with a 504 (its outcome may come wrapped in a CompletionException). */
  private static boolean timedOut(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof FaasException e && e.reason() == FaasException.Reason.UPSTREAM_TIMEOUT;
  }

  private FunctionVersion resolve(Route route, ClientExchange client) {
    FunctionState state = registry.lookUp(route.name())
        .orElseThrow(() -> FaasException.notFound("function '" + route.name() + "' not found"));
    FunctionVersion version = version(state, route, client).orElseThrow(() -> FaasException.notFound(
        "function " + state.name() + " has no version or alias '" + route.selector() + "'"));
    instances.registerCommitted(version.spec());
    return version;
  }

  /**
   * The version a route asks for: its version or alias (for a weighted alias, the one the
   * {@link TrafficSplitter} chooses for this request), or the latest.
   */
  private Optional<FunctionVersion> version(FunctionState state, Route route, ClientExchange client) {
    String selector = route.selector();
    if (selector == null) {
      return Optional.of(state.latestVersion());
    }
    if (!state.splits().isEmpty() && state.version(selector).isEmpty()) {
      Optional<TrafficSplit> split = state.split(selector);
      if (split.isPresent()) {
        return state.version(splitter.choose(split.get(), client));
      }
    }
    return state.resolve(selector);
  }
}
