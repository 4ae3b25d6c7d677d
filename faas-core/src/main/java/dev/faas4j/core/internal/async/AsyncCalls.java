package dev.faas4j.core.internal.async;

import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.CallQueue;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.Validation;
import dev.faas4j.core.internal.Json;
import dev.faas4j.core.internal.control.Lifecycle;
import dev.faas4j.core.internal.control.Registry;
import dev.faas4j.core.internal.proxy.ClientExchange;
import dev.faas4j.core.internal.proxy.ReverseProxy;
import dev.faas4j.core.internal.routing.FunctionTraffic;
import dev.faas4j.core.internal.routing.Invoker;
import dev.faas4j.core.internal.routing.Route;
import dev.faas4j.core.internal.routing.Router;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous invocations: recognises them ({@code POST /async-function/{name}[@{version}][/path]},
 * OpenFaaS's path, or any function request with {@value #ASYNC_HEADER}{@code : true}), commits each
 * to the store's {@link CallQueue} before answering {@code 202} with {@value #CALL_ID_HEADER}, and
 * runs them with {@link CallWorkers}. A full queue answers {@code 429} with {@code Retry-After}.
 *
 * <p>Thread-safe.
 */
public final class AsyncCalls implements AutoCloseable {

  /** OpenFaaS's path prefix for asynchronous invocations. */
  public static final String PATH_PREFIX = "/async-function/";
  /** A request header that makes any function request (by Host or mount path) asynchronous. */
  public static final String ASYNC_HEADER = "X-Faas4j-Async";
  /** The request header naming where the answer goes. */
  public static final String CALLBACK_HEADER = "X-Callback-Url";
  /** The answer header (and callback header) naming the call. */
  public static final String CALL_ID_HEADER = "X-Call-Id";
  /** Seconds a client is told to wait when the queue is full. */
  static final int RETRY_AFTER_SECONDS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(AsyncCalls.class);
  private static final Set<String> NOT_STORED = Set.of(CALLBACK_HEADER, ASYNC_HEADER, "Host", "Content-Length");

  private final CallQueue queue;
  private final FunctionTraffic traffic;
  private final Registry registry;
  private final ReverseProxy proxy;
  private final Lifecycle lifecycle;
  private final AsyncSettings settings;
  private final Clock clock;
  private final CallWorkers workers;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService pool;

  /**
   * @param store the store; its {@link CallQueue} side keeps the calls (without one, asynchronous
   *     invocations answer 501)
   * @param scheduler runs the polls; shut down by {@link #close}
   * @param pool runs the calls, {@code settings.workers()} at a time; shut down by {@link #close}
   * @param node this node's id, which its claims carry
   */
  public AsyncCalls(FunctionStore store, FunctionTraffic traffic, Registry registry, ReverseProxy proxy,
      Invoker invoker, Lifecycle lifecycle, AsyncSettings settings, Clock clock, String node,
      ScheduledExecutorService scheduler, ExecutorService pool) {
    this.queue = store instanceof CallQueue q ? q : null;
    this.traffic = traffic;
    this.registry = registry;
    this.proxy = proxy;
    this.lifecycle = lifecycle;
    this.settings = settings;
    this.clock = clock;
    this.scheduler = scheduler;
    this.pool = pool;
    this.workers = queue == null ? null : new CallWorkers(queue, invoker,
        new Callbacks(settings.callbacks(), proxy.settings().responseTimeout()), settings, clock, node, scheduler, pool);
  }

  /** Starts the workers (if the store keeps calls). */
  public void start() {
    if (workers != null) {
      workers.start();
    }
  }

  /**
   * The route of an asynchronous invocation, or null if the request is not one.
   *
   * @param asyncHeader the value of {@value #ASYNC_HEADER}, or null
   * @throws FaasException NOT_FOUND for an {@code /async-function/} path that names no function
   */
  public Route route(String host, String path, String query, String asyncHeader) {
    if (path != null && path.startsWith(PATH_PREFIX)) {
      return Router.routeUnder(PATH_PREFIX, path, query);
    }
    if (asyncHeader == null || !asyncHeader.trim().equalsIgnoreCase("true")) {
      return null;
    }
    return traffic.route(host, path, query);
  }

  /**
   * Accepts an asynchronous invocation: checks it, reads it whole, commits it to the queue and
   * answers 202 with its id; or answers the refusal (404 unknown function, 400 bad callback URL, 413
   * body too large, 429 queue full, 501 no queue, 503 store down). May block (the store, the body).
   */
  public void acceptAnsweringErrors(Route route, ClientExchange client) throws IOException {
    try {
      String id = accept(route, client);
      if (id == null) {
        client.reset();
        client.setStatus(429);
        client.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        client.setHeader("Content-Type", Json.CONTENT_TYPE);
        client.send(Json.errorBody("the async queue is full (" + settings.maxPending() + " pending calls);"
            + " retry after " + RETRY_AFTER_SECONDS + " s"));
        return;
      }
      client.setStatus(202);
      client.setHeader(CALL_ID_HEADER, id);
      client.setHeader("Content-Type", Json.CONTENT_TYPE);
      client.send(("{\"status\":\"accepted\",\"callId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
      workers.wake();
    } catch (FaasException e) {
      client.sendError(e.reason().httpStatus(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("failed to accept an async call of {}", route, e);
      client.sendError(500, "internal error while accepting the call; see the server log");
    }
  }

  /** The call's id once committed, or null when the queue is full. */
  private String accept(Route route, ClientExchange client) throws IOException {
    lifecycle.checkOpen();
    if (queue == null) {
      throw new FaasException(FaasException.Reason.NOT_SUPPORTED, "asynchronous invocations need a store that"
          + " keeps a call queue (JdbcFunctionStore, InMemoryStore)");
    }
    FunctionState state = registry.lookUp(route.name())
        .orElseThrow(() -> FaasException.notFound("function '" + route.name() + "' not found"));
    if (route.selector() != null && state.resolve(route.selector()).isEmpty()) {
      throw FaasException.notFound("function " + state.name() + " has no version or alias '" + route.selector() + "'");
    }
    String callback = client.header(CALLBACK_HEADER);
    if (callback != null) {
      settings.callbacks().check(callback);
    }
    FunctionRequest request = proxy.readRequest(client, route.upstreamPathAndQuery());
    Instant now = clock.instant();
    String id = UUID.randomUUID().toString();
    AsyncCall call = new AsyncCall(id, state.key(), route.selector() == null ? null : Validation.canonical(route.selector()),
        request.method(), route.upstreamPathAndQuery(), HeaderLines.encode(request.headers(), NOT_STORED),
        request.body(), callback, AsyncCall.State.QUEUED, 0, now, now, now, 0, "", null, "", null);
    boolean added = Registry.call(() -> queue.enqueue(call, settings.maxPending()), "queue an async call",
        "; the call was not accepted");
    return added ? id : null;
  }

  /**
   * The call with this id.
   *
   * @throws FaasException NOT_FOUND for an unknown (or long finished) call, NOT_SUPPORTED without a queue
   */
  public AsyncCall find(String id) {
    if (queue == null) {
      throw new FaasException(FaasException.Reason.NOT_SUPPORTED, "this store keeps no call queue");
    }
    Optional<AsyncCall> call = Registry.call(() -> queue.call(id), "read an async call", "");
    return call.orElseThrow(() -> FaasException.notFound("no async call " + CallbackGuard.abbreviate(id)
        + " (finished calls are kept for " + settings.retention().toHours() + " h)"));
  }

  /** Stops polling and running calls; a call being run is interrupted and runs again after its lease. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    pool.shutdownNow();
    try {
      scheduler.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
