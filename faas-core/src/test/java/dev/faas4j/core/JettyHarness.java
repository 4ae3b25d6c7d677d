package dev.faas4j.core;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 server on an ephemeral port with {@link FaasFilter} in front of an ordinary
 * application servlet ({@code /app/*}, answers "app:" + path) and {@link FaasAdminServlet} at
 * {@code /api/*} (or another prefix, under a context path): the way an application embeds faas4j.
 */
final class JettyHarness implements AutoCloseable {

  final Faas faas;
  private final Server server;
  private final String adminBase;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  JettyHarness(Faas faas, AdminAuthenticator authenticator) throws Exception {
    this(faas, authenticator, "", "/api");
  }

  /**
   * A harness whose servlet context is at {@code contextPath} ("" for the root) and whose admin
   * servlet is mapped at {@code adminPrefix + "/*"}.
   */
  JettyHarness(Faas faas, AdminAuthenticator authenticator, String contextPath, String adminPrefix) throws Exception {
    this.faas = faas;
    this.adminBase = contextPath + adminPrefix;
    this.server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath(contextPath.isEmpty() ? "/" : contextPath);
    FilterHolder functions = new FilterHolder(new FaasFilter(faas));
    functions.setAsyncSupported(true); // answers are written without holding a thread
    context.addFilter(functions, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new FaasAdminServlet(faas, authenticator)), adminPrefix + "/*");
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print("app:" + request.getRequestURI());
      }
    }), "/app/*");
    server.setHandler(context);
    server.start();
  }

  JettyHarness(Faas faas) throws Exception {
    this(faas, AdminAuthenticator.none());
  }

  /** The HTTP client {@link #get} uses. */
  HttpClient client() {
    return client;
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** GET {@code path} with the given Host header. */
  HttpResponse<String> get(String host, String path) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    if (host != null) {
      request.header("Host", host);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The body of a 200 answer to GET / at {@code host}. */
  String call(String host) throws Exception {
    HttpResponse<String> response = get(host, "/");
    if (response.statusCode() != 200) {
      throw new AssertionError("GET http://" + host + "/ answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Sends an admin request with a JSON body (or none). */
  HttpResponse<String> admin(String method, String path, String json, String... headers) throws Exception {
    return adminTyped(method, path, json == null ? null : "application/json", json, headers);
  }

  /** Sends an admin request with a body of the given type (or none). */
  HttpResponse<String> adminTyped(String method, String path, String contentType, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(adminBase + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    server.stop();
    faas.close();
  }
}
