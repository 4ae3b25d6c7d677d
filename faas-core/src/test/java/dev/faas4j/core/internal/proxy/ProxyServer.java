package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.http.Await;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real embedded Jetty 12 that calls {@link ReverseProxy#forward} for every request through one of
 * the proxy's {@link Binding}s: a servlet in async mode, a servlet in the blocking mode the proxy
 * falls back to when a filter is not registered as async-supported, or Jetty's core API on the I/O
 * thread, as {@code FaasHandler} does. Tests run against every binding where the behaviour is the
 * same. It speaks HTTP/1.1 or, as a {@link Protocol} option, HTTP/2 over cleartext. The outcomes
 * the proxy reports are recorded: {@link #errors} the error answers it sent, {@link #propagated}
 * the aborted client connections; and {@link #requests} what each client request looked like to
 * the proxy.
 */
final class ProxyServer implements AutoCloseable {

  /** How the server hands requests to the proxy. */
  enum Binding {
    /** {@link ServletExchange} of an async-supported servlet: what FaasFilter does by default. */
    SERVLET_ASYNC,
    /** {@link ServletExchange} of a servlet that is not async-supported: the blocking fallback. */
    SERVLET_BLOCKING,
    /** {@link JettyExchange} from a non-blocking core handler: what FaasHandler does. */
    JETTY_CORE
  }

  /** What the server's connector speaks to clients. */
  enum Protocol {
    HTTP_1_1,
    /** HTTP/2 over cleartext with prior knowledge (h2c): the client starts with the HTTP/2 preface. */
    H2C
  }

  /** A client request as the binding presented it to the proxy. */
  record ClientRequest(String protocol, long contentLength) {}

  final ReverseProxy proxy;
  /** Exceptions (other than FaasException) that forward threw, in order. */
  final List<Throwable> propagated = new CopyOnWriteArrayList<>();
  /** How many exchanges have reported their outcome (a forward that threw counts as one). */
  private final AtomicInteger outcomes = new AtomicInteger();
  /** How many times the servlet called forward. */
  private final AtomicInteger calls = new AtomicInteger();
  /** The error answers the proxy sent, in order. */
  final List<FaasException> errors = new CopyOnWriteArrayList<>();
  /** The client requests forwarded, in order. */
  final List<ClientRequest> requests = new CopyOnWriteArrayList<>();

  private final Server server;
  private final ServerConnector connector;
  private volatile Endpoint endpoint;
  private volatile Function<String, Duration> timeouts = pathAndQuery -> null;
  /** When set, picks the endpoint by the request's path and query instead of {@link #endpoint}. */
  private volatile Function<String, Endpoint> router;
  private volatile UnaryOperator<Request> requestWrapper = UnaryOperator.identity();
  private volatile UnaryOperator<Response> responseWrapper = UnaryOperator.identity();

  ProxyServer(ProxySettings settings, Endpoint endpoint, Binding binding) throws Exception {
    this(settings, endpoint, binding, Protocol.HTTP_1_1);
  }

  ProxyServer(ProxySettings settings, Endpoint endpoint, Binding binding, Protocol protocol) throws Exception {
    this.proxy = new ReverseProxy(settings);
    this.endpoint = endpoint;
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("test-proxy");
    server = new Server(threads);
    connector =
        new ServerConnector(
            server, protocol == Protocol.H2C ? new HTTP2CServerConnectionFactory() : new HttpConnectionFactory());
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    if (binding == Binding.JETTY_CORE) {
      server.setHandler(new ForwardingHandler());
    } else {
      ServletContextHandler context = new ServletContextHandler();
      ServletHolder forwarding = new ServletHolder(new ForwardingServlet());
      forwarding.setAsyncSupported(binding == Binding.SERVLET_ASYNC);
      context.addServlet(forwarding, "/*");
      server.setHandler(context);
    }
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /**
   * Waits until {@code count} exchanges have reported their outcome: the client may see the end
   * of an answer a moment before the proxy reports it.
   *
   * @return this, for chaining
   */
  ProxyServer awaitOutcomes(int count) throws InterruptedException {
    if (!Await.until(() -> outcomes.get() >= count)) {
      throw new AssertionError("only " + outcomes.get() + " of " + count + " exchanges reported an outcome");
    }
    return this;
  }

  /** How many requests were forwarded, and how many of them reported their outcome. */
  int calls() {
    return calls.get();
  }

  int outcomes() {
    return outcomes.get();
  }

  void endpoint(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** Serves several functions: {@code router} maps each request's path and query to its endpoint. */
  void route(Function<String, Endpoint> router) {
    this.router = router;
  }

  private Endpoint endpointFor(String pathAndQuery) {
    Function<String, Endpoint> routes = router;
    return routes == null ? endpoint : routes.apply(pathAndQuery);
  }

  void timeout(Duration timeout) {
    this.timeouts = pathAndQuery -> timeout;
  }

  /** The response timeout of each request, by its path and query; null means the settings' own. */
  void timeouts(Function<String, Duration> timeouts) {
    this.timeouts = timeouts;
  }

  /**
   * Jetty core binding only: wraps each request and response before the proxy sees them, as an
   * application's own handlers may; for instruments that reshape a body or watch the writes.
   */
  void wrap(UnaryOperator<Request> requests, UnaryOperator<Response> responses) {
    this.requestWrapper = requests;
    this.responseWrapper = responses;
  }

  int port() {
    return connector.getLocalPort();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  @Override
  public void close() throws Exception {
    try {
      server.stop();
    } finally {
      proxy.close();
    }
  }

  /** Forwards {@code client} and records the outcome. */
  private void forward(ClientExchange client, String pathAndQuery) throws IOException {
    calls.incrementAndGet();
    requests.add(new ClientRequest(client.protocol(), client.contentLength()));
    try {
      proxy.forward(client, endpointFor(pathAndQuery), pathAndQuery, timeouts.apply(pathAndQuery))
          .whenComplete((ok, failure) -> record(failure));
    } catch (IOException | RuntimeException e) {
      propagated.add(e);
      outcomes.incrementAndGet();
      throw e;
    }
  }

  private void record(Throwable failure) {
    try {
      if (failure instanceof FaasException error) {
        errors.add(error);
      } else if (failure != null && !propagated.contains(failure)) {
        propagated.add(failure);
      }
    } finally {
      outcomes.incrementAndGet();
    }
  }

  private final class ForwardingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String query = request.getQueryString();
      forward(new ServletExchange(request, response), request.getRequestURI() + (query == null ? "" : "?" + query));
    }
  }

  /**
   * Like {@code FaasHandler}: an HTTP endpoint is served on the I/O thread that parsed the request,
   * an in-process one (which runs the function's code and reads the body with blocking reads) on
   * the server's pool.
   */
  private final class ForwardingHandler extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
      JettyExchange exchange =
          new JettyExchange(requestWrapper.apply(request), responseWrapper.apply(response), callback);
      String pathAndQuery = request.getHttpURI().getPathQuery();
      if (endpointFor(pathAndQuery) instanceof Endpoint.Http) {
        forward(exchange, pathAndQuery);
        return true;
      }
      server.getThreadPool().execute(() -> {
        try {
          forward(exchange, pathAndQuery);
        } catch (Throwable e) {
          callback.failed(e);
        }
      });
      return true;
    }
  }
}
