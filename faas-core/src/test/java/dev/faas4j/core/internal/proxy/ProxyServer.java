package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real embedded Jetty 12 whose only servlet calls {@link ReverseProxy#forward}, the way the
 * faas-core filter will: a {@link FaasException} becomes a JSON error with its status, any other
 * failure propagates to the container.
 */
final class ProxyServer implements AutoCloseable {

  final ReverseProxy proxy;
  /** Exceptions (other than FaasException) that forward threw, in order. */
  final List<Throwable> propagated = new CopyOnWriteArrayList<>();
  /** FaasExceptions that forward threw, in order. */
  final List<FaasException> errors = new CopyOnWriteArrayList<>();

  private final Server server;
  private final ServerConnector connector;
  private volatile Endpoint endpoint;
  private volatile Duration timeout;

  ProxyServer(ProxySettings settings, Endpoint endpoint) throws Exception {
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
    context.addServlet(new ServletHolder(new ForwardingServlet()), "/*");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw e;
    }
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
      try {
        proxy.forward(request, response, endpoint, pathAndQuery, timeout);
      } catch (FaasException e) {
        errors.add(e);
        response.setStatus(e.reason().httpStatus());
        response.setContentType("application/json");
        response
            .getOutputStream()
            .write(
                ("{\"status\":\"error\",\"error\":\"" + e.reason() + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        propagated.add(e);
        throw e;
      }
    }
  }
}
