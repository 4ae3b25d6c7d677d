package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A real upstream HTTP server (embedded Jetty) whose behaviour a test writes as a lambda. */
final class JettyUpstream implements AutoCloseable {

  @FunctionalInterface
  interface Handler {
    void handle(HttpServletRequest request, HttpServletResponse response) throws Exception;
  }

  private final Server server;
  private final ServerConnector connector;

  JettyUpstream(Handler handler) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("test-upstream");
    server = new Server(threads);
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              private static final long serialVersionUID = 1L;

              @Override
              protected void service(HttpServletRequest request, HttpServletResponse response)
                  throws IOException {
                try {
                  handler.handle(request, response);
                } catch (IOException | RuntimeException e) {
                  throw e;
                } catch (Exception e) {
                  throw new IOException(e);
                }
              }
            }),
        "/*");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
  }

  Endpoint.Http endpoint() {
    return Endpoint.Http.loopback(connector.getLocalPort());
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
