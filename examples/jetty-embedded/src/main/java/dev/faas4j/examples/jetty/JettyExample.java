package dev.faas4j.examples.jetty;

import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain embedded Jetty 12 (ee10) application with a functions platform in front of it:
 * {@link FaasFilter} on {@code /*} serves every request whose Host is under {@code func.local} (or
 * whose path is under {@code /fn/}), the admin servlet on {@code /faas4j/api/*} deploys them, and
 * everything else reaches the application's own servlet ({@code GET /hello}). Functions run in
 * workerd; their definitions are kept in an SQLite file, so they come back after a restart. The
 * faas4j part is {@link FaasSetup}, the code the README shows.
 *
 * <p>{@link #start} returns a running application; {@link #close} stops Jetty, then every workerd
 * process, then the store. Not meant to be shared between threads beyond that.
 */
public final class JettyExample implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JettyExample.class);

  private final Server server;
  private final Faas faas;
  private final int port;

  private JettyExample(Server server, Faas faas, int port) {
    this.server = server;
    this.faas = faas;
    this.port = port;
  }

  /**
   * Starts the application on {@code 127.0.0.1:port} ({@code 0}: a free port), with
   * {@link FaasFilter} in front of its servlets ({@link FaasSetup}).
   *
   * @param dataDir holds {@code faas.db} (SQLite) and {@code workerd/} (one directory per running version)
   * @param adminToken the bearer token the admin API under {@code /faas4j/api/} asks for
   * @throws IllegalStateException if the workerd binary is missing (the message says how to install it)
   * @throws Exception if the port cannot be bound or the database cannot be opened
   */
  public static JettyExample start(int port, Path dataDir, String adminToken) throws Exception {
    return start(port, dataDir, adminToken, false);
  }

  /**
   * The same application on Jetty's core API: {@link dev.faas4j.core.FaasHandler} in front of the
   * servlets instead of the filter ({@link FaasHandlerSetup}).
   */
  public static JettyExample startWithHandler(int port, Path dataDir, String adminToken) throws Exception {
    return start(port, dataDir, adminToken, true);
  }

  private static JettyExample start(int port, Path dataDir, String adminToken, boolean coreHandler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);

    Faas faas = FaasSetup.create(dataDir);
    try {
      ServletContextHandler context = new ServletContextHandler();
      context.addServlet(new ServletHolder(new HelloServlet()), "/hello");
      if (coreHandler) {
        FaasHandlerSetup.mount(faas, server, context, adminToken);
      } else {
        FaasSetup.mount(faas, context, adminToken);
        server.setHandler(context);
      }
      server.start();
      return new JettyExample(server, faas, connector.getLocalPort());
    } catch (Exception | Error e) {
      faas.close(); // closes workerd and the store too
      server.stop();
      throw e;
    }
  }

  /** The port the application listens on. */
  public int port() {
    return port;
  }

  /** Stops taking requests, then stops every workerd process and closes the store. Idempotent. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("interrupted while stopping jetty; stopping the functions anyway");
    } catch (Exception e) {
      LOG.warn("jetty did not stop cleanly: {}", e.toString());
    }
    faas.close();
  }

  /** The functions platform, e.g. to deploy from Java with {@link Faas#deploy}. */
  public Faas faas() {
    return faas;
  }

  /**
   * {@code java ... JettyExample [port] [data-dir]}: defaults 8080 and {@code ./jetty-example-data};
   * the admin token is {@code FAAS4J_ADMIN_TOKEN}, else {@code change-me}.
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    Path dataDir = Path.of(args.length > 1 ? args[1] : "jetty-example-data");
    String token = System.getenv().getOrDefault("FAAS4J_ADMIN_TOKEN", "change-me");
    JettyExample app = start(port, dataDir, token);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "jetty-example-shutdown"));
    System.out.println("listening on http://127.0.0.1:" + app.port() + " (functions at *.func.local, data in "
        + dataDir.toAbsolutePath() + ")");
    app.server.join();
  }

  /** The application's own servlet: everything not under the functions' domain can reach it. */
  static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().print("hello from the jetty app");
    }
  }
}
