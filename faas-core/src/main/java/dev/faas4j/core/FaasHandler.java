package dev.faas4j.core;

import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.routing.FunctionTraffic;
import dev.faas4j.core.internal.routing.Route;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.proxy.JettyExchange;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A Jetty 12 handler that serves function traffic and passes every other request to the handler
 * it wraps: {@link FaasFilter}'s counterpart for applications that use Jetty's core API, and the
 * faster of the two.
 *
 * <pre>{@code
 * ServletContextHandler app = ...;                 // the application's own endpoints
 * server.setHandler(new FaasHandler(faas, app));   // functions first, then the application
 * }</pre>
 *
 * <p>Function traffic is recognised as by the filter: a Host under the {@link Faas} domain, or a
 * path under its mount path; errors are the same JSON answers.
 *
 * <p>Why it is faster. A servlet filter runs on a thread of the server's pool, and an async answer
 * completes through a second dispatch. This handler declares itself non-blocking, so Jetty calls it
 * on the I/O thread that parsed the request. A request to a version that is running is sent
 * upstream right there, and its answer is written from the proxy's I/O thread with Jetty's
 * non-blocking writes. The one pool thread that still takes part is Jetty's own: a request
 * completed from another thread makes Jetty hand the connection to its pool to go on reading it.
 * Everything that may block is handed to the
 * server's thread pool instead: a version that must start first, a function this gateway has not
 * seen yet (a store lookup), in-process functions, and every request for the wrapped handler
 * unless that one declares itself non-blocking too. It is handed over as Jetty hands over blocking
 * work, through the request's context: inside a {@code ContextHandler} it runs in that context's
 * scope (its class loader), and on virtual threads where the pool is configured with them.
 *
 * <p>Thread-safe.
 */
public final class FaasHandler extends Handler.Wrapper {

  private static final String REFUSED = "the server is too busy or shutting down to serve the function; try again later";

  private final FunctionTraffic traffic;
  private final AsyncCalls async;

  /** A handler serving the functions of {@code faas} and answering 404 to everything else. */
  public FaasHandler(Faas faas) {
    this(faas, null);
  }

  /**
   * A handler serving the functions of {@code faas} and passing everything else to {@code next}.
   *
   * @param next the application's handler, or null to answer 404
   */
  public FaasHandler(Faas faas, Handler next) {
    super(next);
    this.traffic = Objects.requireNonNull(faas, "faas").traffic();
    this.async = faas.async();
  }

  /** Non-blocking: whatever may block is handed to the server's thread pool by this handler. */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.NON_BLOCKING;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Route route;
    try {
      Route asyncRoute = async.route(host(request), pathInContext(request), request.getHttpURI().getQuery(),
          request.getHeaders().get(AsyncCalls.ASYNC_HEADER));
      if (asyncRoute != null) {
        JettyExchange exchange = new JettyExchange(request, response, callback);
        if (!dispatch(request, () -> accept(asyncRoute, exchange, callback))) {
          exchange.sendError(503, REFUSED);
        }
        return true;
      }
      route = traffic.route(host(request), pathInContext(request), request.getHttpURI().getQuery());
    } catch (FaasException e) {
      new JettyExchange(request, response, callback).sendError(e.reason().httpStatus(), e.getMessage());
      return true;
    }
    if (route == null) {
      return handleNext(request, response, callback);
    }
    JettyExchange exchange = new JettyExchange(request, response, callback);
    // a protocol switch (WebSocket) waits for the function's 101 with a blocking read: on the pool
    if (!exchange.isUpgrade() && traffic.serveAnsweringErrors(route, exchange, true)) {
      return true; // served, or answered, on this thread
    }
    boolean dispatched = dispatch(request, () -> {
      try {
        traffic.serveAnsweringErrors(route, exchange, false);
      } catch (Throwable e) {
        callback.failed(e);
      }
    });
    if (!dispatched) {
      exchange.sendError(503, REFUSED);
    }
    return true;
  }

  /** Accepts an asynchronous invocation, on the server's pool: it reads the body and writes the store. */
  private void accept(Route route, JettyExchange exchange, Callback callback) {
    try {
      async.acceptAnsweringErrors(route, exchange);
    } catch (Throwable e) {
      callback.failed(e);
    }
  }

  /** The wrapped handler, on this thread if it does not block, otherwise on the server's pool. */
  private boolean handleNext(Request request, Response response, Callback callback) throws Exception {
    Handler next = getHandler();
    if (next == null) {
      return false;
    }
    if (next.getInvocationType() == InvocationType.NON_BLOCKING) {
      return next.handle(request, response, callback);
    }
    boolean dispatched = dispatch(request, () -> {
      try {
        if (!next.handle(request, response, callback)) {
          Response.writeError(request, response, callback, 404);
        }
      } catch (Throwable e) {
        Response.writeError(request, response, callback, e);
      }
    });
    if (!dispatched) {
      Response.writeError(request, response, callback, 503);
    }
    return true;
  }

  /**
   * Runs {@code task} on the server's pool, in the scope of the request's context. Returns false
   * if the pool refused it (its queue is full, or it is stopping): the caller answers 503 then.
   */
  private static boolean dispatch(Request request, Runnable task) {
    try {
      request.getContext().execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false; // QueuedThreadPool logs the refusal
    }
  }

  private static String host(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    return host != null ? host : request.getHttpURI().getAuthority(); // HTTP/2 sends :authority
  }

  /** The raw path (as the client sent it, not decoded) within this handler's context, if any. */
  private static String pathInContext(Request request) {
    String path = request.getHttpURI().getPath();
    String contextPath = Request.getContextPath(request);
    if (contextPath != null && !contextPath.isEmpty() && !contextPath.equals("/") && path.startsWith(contextPath)) {
      return path.substring(contextPath.length());
    }
    return path;
  }
}
