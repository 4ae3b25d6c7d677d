package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real embedded Jetty 12 whose only servlet calls {@link ReverseProxy#forward}, the way the
 * faas-core filter does, in async mode (the default) or, with {@code async} false, in the
 * blocking mode the proxy falls back to when a filter is not registered as async-supported. The
 * outcomes the proxy reports are recorded: {@link #errors} the error answers it sent, {@link
 * #propagated} the aborted client connections.
 */
final class ProxyServer implements AutoCloseable {

  final ReverseProxy proxy;
  /** Exceptions (other than FaasException) that forward threw, in order. */
  final List<Throwable> propagated = new CopyOnWriteArrayList<>();
  /** How many exchanges have reported their outcome (a forward that threw counts as one). */
  private final AtomicInteger outcomes = new AtomicInteger();
  /** How many times the servlet called forward. */
  private final AtomicInteger calls = new AtomicInteger();
  /** The error answers the proxy sent, in order. */
  final List<FaasException> errors = new CopyOnWriteArrayList<>();

  private final Server server;
  private final ServerConnector connector;
  private volatile Endpoint endpoint;
  private volatile Duration timeout;

  ProxyServer(ProxySettings settings, Endpoint endpoint) throws Exception {
    this(settings, endpoint, true);
  }

  ProxyServer(ProxySettings settings, Endpoint endpoint, boolean async) throws Exception {
    this.proxy = new ReverseProxy(settings);
    this.endpoint = endpoint;
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("test-proxy");
    server = new Server(threads);
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    ServletHolder forwarding = new ServletHolder(new ForwardingServlet());
    forwarding.setAsyncSupported(async);
    context.addServlet(forwarding, "/*");
    server.setHandler(context);
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

  void timeout(Duration timeout) {
    this.timeout = timeout;
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

  private final class ForwardingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String query = request.getQueryString();
      String pathAndQuery = request.getRequestURI() + (query == null ? "" : "?" + query);
      calls.incrementAndGet();
      try {
        proxy.forward(request, response, endpoint, pathAndQuery, timeout)
            .whenComplete((ok, failure) -> record(failure));
      } catch (IOException | RuntimeException e) {
        propagated.add(e);
        outcomes.incrementAndGet();
        throw e;
      }
    }

    private void record(Throwable failure) {
      try {
        recordFailure(failure);
      } finally {
        outcomes.incrementAndGet();
      }
    }

    private void recordFailure(Throwable failure) {
      if (failure instanceof FaasException error) {
        errors.add(error);
      } else if (failure != null && !propagated.contains(failure)) {
        propagated.add(failure);
      }
    }
  }
}
