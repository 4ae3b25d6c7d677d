package dev.faas4j.examples.jetty;

import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import dev.faas4j.workerd.WorkerdProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain embedded Jetty 12 (ee10) application with a functions platform in front of it:
 * {@link FaasFilter} on {@code /*} serves every request whose Host is under {@code func.local},
 * {@link FaasAdminServlet} on {@code /api/*} deploys them, and everything else reaches the
 * application's own servlet ({@code GET /hello}). Functions run in workerd; their definitions are
 * kept in an SQLite file, so they come back after a restart.
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
   * Starts the application on {@code 127.0.0.1:port} ({@code 0}: a free port).
   *
   * @param dataDir holds {@code faas.db} (SQLite) and {@code workerd/} (one directory per running version)
   * @throws IllegalStateException if the workerd binary is missing (the message says how to install it)
   * @throws Exception if the port cannot be bound or the database cannot be opened
   */
  public static JettyExample start(int port, Path dataDir) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.open(); // bound now, so access URLs carry the real port
    server.addConnector(connector);

    WorkerdProvider workerd = null;
    Faas faas = null;
    try {
      workerd = WorkerdProvider.builder().dataDir(dataDir.resolve("workerd")).build();
      faas = Faas.builder()
          .provider(workerd)
          .store(JdbcFunctionStore.sqlite(dataDir.resolve("faas.db")))
          .domain("func.local")
          .publicPort(connector.getLocalPort())
          .build();

      ServletContextHandler context = new ServletContextHandler();
      FilterHolder functions = new FilterHolder(new FaasFilter(faas));
      functions.setAsyncSupported(true); // answers are written without holding a thread
      context.addFilter(functions, "/*", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(new ServletHolder(new FaasAdminServlet(faas)), "/api/*");
      context.addServlet(new ServletHolder(new HelloServlet()), "/hello");
      server.setHandler(context);
      server.start();
      return new JettyExample(server, faas, connector.getLocalPort());
    } catch (Exception | Error e) {
      if (faas != null) {
        faas.close(); // closes workerd and the store too
      } else if (workerd != null) {
        workerd.close();
      }
      server.stop();
      connector.close();
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

  /** {@code java ... JettyExample [port] [data-dir]}: defaults 8080 and {@code ./jetty-example-data}. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    Path dataDir = Path.of(args.length > 1 ? args[1] : "jetty-example-data");
    JettyExample app = start(port, dataDir);
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
