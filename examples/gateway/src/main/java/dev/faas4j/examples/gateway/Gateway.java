package dev.faas4j.examples.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasBuilder;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasHandler;
import dev.faas4j.core.FaasThreadPool;
import dev.faas4j.docker.DockerProvider;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import dev.faas4j.workerd.WorkerdProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Slf4jRequestLogWriter;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone faas4j gateway: one port for the admin API ({@code /api/...}) and for function
 * traffic (any Host under the domain, or the mount path), workerd for JavaScript functions, a
 * Docker engine for container functions when one is given, SQLite (or PostgreSQL) for state. {@code java -jar faas-gateway.jar --help} lists the options.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Server server;
  private final Faas faas;
  private final HikariDataSource pool;
  private final int port;
  private final PrometheusMeterRegistry metrics;

  private Gateway(Server server, Faas faas, HikariDataSource pool, int port, PrometheusMeterRegistry metrics) {
    this.metrics = metrics;
    this.server = server;
    this.faas = faas;
    this.pool = pool;
    this.port = port;
  }

  /** Starts a gateway; every function in the store is served again. */
  static Gateway start(GatewayOptions options) throws Exception {
    Files.createDirectories(options.dataDir());
    // a proxy I/O thread that finishes an answer continues the client's connection itself (see FaasThreadPool)
    QueuedThreadPool threads = new FaasThreadPool();
    threads.setName("faas-gateway");
    // No reserved threads: a handler hands its request to the proxy's I/O threads and returns, so a
    // reserved thread has little to win. (With the earlier blocking proxy bench/ measured +8-24% req/s
    // without them; with the non-blocking one the difference was within noise.)
    threads.setReservedThreads(0);
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false); // no "Server: Jetty(version)" on every answer
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(options.bind());
    connector.setPort(options.port());
    limitClients(server, connector, options.limits());
    connector.open(); // bind now, so that access URLs carry the real port when --port 0
    int port = connector.getLocalPort();
    server.addConnector(connector);

    HikariDataSource pool = options.jdbcUrl() == null ? null : pool(options.jdbcUrl());
    Faas faas = null;
    FunctionStore store = null;
    WorkerdProvider workerd = null;
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DockerProvider docker = null;
    try {
      store = pool == null
          ? JdbcFunctionStore.sqliteBuilder(options.dataDir().resolve("faas.db")).busyTimeout(options.dbBusyTimeout()).build()
          : JdbcFunctionStore.builder(pool).build();
      // Building the provider locks its directory and kills what a killed gateway left running
      // there: every workerd records its pid before it runs, so none is unknown to it.
      workerd = WorkerdProvider.builder().dataDir(options.dataDir().resolve("workerd"))
          .startTimeout(options.startTimeout()).build();
      docker = options.dockerHost() == null ? null : docker(options);
      FaasBuilder builder = Faas.builder()
          .provider(workerd)
          .store(store)
          .domain(options.domain())
          .idleTimeout(options.idleTimeout())
          .frozenTimeout(options.frozen().timeout())
          .frozenMemoryBudget(options.frozen().memoryBudgetBytes())
          .keepLatestWarm(options.keepLatestWarm())
          .startTimeout(options.startTimeout())
          .proxy(proxy -> proxy
              .forwardedHeaders(options.forwardedHeaders())
              .maxHops(options.maxHops())
              .requestTimeout(options.requestTimeout())
              .maxRequestBodyBytes(options.maxBodyBytes())
              .maxConnectionsPerInstance(options.limits().maxConnectionsPerFunction())
              .clientStallTimeout(options.limits().clientStallTimeout())
              .minClientBytesPerSecond(options.limits().minClientBytesPerSecond()))
          .maxInFlightRequests(options.limits().maxInFlight())
          .publicPort(port)
          .syncInterval(options.cluster().syncInterval())
          .heartbeatInterval(options.cluster().heartbeatInterval())
          .nodeExpiry(options.cluster().nodeExpiry())
          .meterRegistry(metrics);
      if (options.cluster().nodeId() != null) {
        builder.nodeId(options.cluster().nodeId());
      }
      if (options.mountPath() != null) {
        builder.mountPath(options.mountPath());
      }
      if (docker != null) {
        builder.provider(docker);
      }
      options.traffic().applyTo(builder);
      faas = builder.build();

      AdminAuthenticator auth = authenticator(options);
      ServletContextHandler admin = new ServletContextHandler();
      admin.addServlet(new ServletHolder(new FaasAdminServlet(faas, auth)), "/api/*");
      admin.addServlet(new ServletHolder(new NotFound(options.domain(), options.mountPath())), "/");
      // the web console is served by the admin servlet under /api/console/; /console is the short way there
      admin.addServlet(new ServletHolder(new ToConsole()), "/console");
      admin.addServlet(new ServletHolder(new ToConsole()), "/console/");
      StatusEndpoints status = new StatusEndpoints(metrics, store, workerd, auth, options.statusAuth());
      for (String path : new String[] {"/metrics", "/healthz", "/readyz"}) {
        admin.addServlet(new ServletHolder(status), path);
      }
      // Function traffic first, on Jetty's core API: a request to a running version is proxied on
      // the I/O thread that parsed it; the rest (admin API, cold starts) goes to the thread pool.
      server.setHandler(new FaasHandler(faas, admin));
      if (options.accessLog()) {
        // the client, the request line, the status, bytes, milliseconds and the request's id
        server.setRequestLog(new CustomRequestLog(new Slf4jRequestLogWriter(),
            "%{client}a \"%r\" %s %O %{ms}T ms id=%{X-Request-Id}o"));
      }
      server.setStopTimeout(5_000);
      server.start();
      status.restored(); // Faas.build() restored every function
      return new Gateway(server, faas, pool, port, metrics);
    } catch (Exception | Error e) {
      if (faas != null) {
        faas.close();
      } else {
        if (workerd != null) {
          workerd.close();
        }
        if (docker != null) {
          docker.close();
        }
        if (store != null) {
          store.close();
        }
      }
      if (pool != null) {
        pool.close();
      }
      connector.close();
      metrics.close();
      throw e;
    }
  }

  /**
   * Caps the client connections, so that a flood of them runs into this limit rather than into the
   * process's file-descriptor limit (where the upstream connections and workerd's pipes fail too),
   * and closes connections that dawdle over a request head. At the cap, Jetty stops accepting until
   * a connection closes, and lets idle ones go after the header timeout instead of its idle timeout.
   */
  private static void limitClients(Server server, ServerConnector connector, GatewayOptions.Limits limits) {
    NetworkConnectionLimit cap = new NetworkConnectionLimit(limits.clientConnections(), connector);
    cap.setEndPointIdleTimeout(limits.headerTimeout().toMillis());
    server.addBean(cap);
    connector.addBean(new HeaderDeadline(limits.headerTimeout(), connector.getScheduler()));
  }

  /**
   * The Docker provider for {@code --docker-host}. Its owner id is derived from the data directory,
   * so a gateway restarted on the same directory removes the containers a crashed run left.
   */
  private static DockerProvider docker(GatewayOptions options) throws Exception {
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
        .digest(options.dataDir().toString().getBytes(StandardCharsets.UTF_8));
    String owner = "faas-gateway-" + java.util.HexFormat.of().formatHex(digest, 0, 8);
    DockerProvider docker = DockerProvider.builder().dockerHost(options.dockerHost()).instanceId(owner)
        .startTimeout(options.startTimeout()).build();
    LOG.info("container functions (runtime docker) run on {}", options.dockerHost());
    return docker;
  }

  /** Bearer, basic, either of the two, or none, as the options ask. */
  static AdminAuthenticator authenticator(GatewayOptions options) {
    java.util.List<AdminAuthenticator> accepted = new java.util.ArrayList<>();
    if (options.adminToken() != null) {
      accepted.add(AdminAuthenticator.bearerToken(options.adminToken()));
    }
    if (options.adminBasic() != null) {
      int colon = options.adminBasic().indexOf(':');
      accepted.add(AdminAuthenticator.basic(options.adminBasic().substring(0, colon),
          options.adminBasic().substring(colon + 1)));
    }
    if (accepted.isEmpty()) {
      LOG.warn("the admin API has no authentication: anyone who can reach {}:{} can deploy code;"
          + " set --admin-token or --admin-basic unless it is only reachable by you", options.bind(), options.port());
      return AdminAuthenticator.none();
    }
    return AdminAuthenticator.anyOf(accepted);
  }

  private static HikariDataSource pool(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("faas4j-store");
    config.setMaximumPoolSize(8);
    return new HikariDataSource(config);
  }

  /** The port the gateway listens on. */
  int port() {
    return port;
  }

  /** Stops taking requests, then stops every function instance and closes the store. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("jetty did not stop cleanly: {}", e.toString());
    }
    faas.close();
    if (pool != null) {
      pool.close();
    }
    metrics.close();
  }

  public static void main(String[] args) throws Exception {
    GatewayOptions options;
    try {
      options = GatewayOptions.parse(args, System.getenv());
    } catch (GatewayOptions.UsageException e) {
      System.err.println("faas-gateway: " + e.getMessage());
      System.err.println("Try --help.");
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.print(GatewayOptions.USAGE);
      return;
    }
    Gateway gateway;
    try {
      gateway = start(options);
    } catch (Exception e) {
      System.err.println("faas-gateway: could not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("faas4j gateway listening on http://" + options.bind() + ":" + gateway.port()
        + " (functions at *." + options.domain() + ", data in " + options.dataDir() + ")");
    System.out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Thread stopper = new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "faas4j-shutdown");
    // SIGTERM and Ctrl-C stop the gateway in order and exit 0; the hook covers System.exit elsewhere.
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "faas4j-shutdown-hook"));
    for (String signal : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
        if (stopped.getCount() > 0 && !stopper.isAlive()) {
          stopper.start();
        }
      });
    }
    stopped.await();
    System.exit(0);
  }

  /** {@code /console}: a redirect to the web console, which the admin servlet serves at {@code /api/console/}. */
  private static final class ToConsole extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      response.setStatus(HttpServletResponse.SC_FOUND);
      response.setHeader("Location", "/api/console/");
    }
  }

  /** Everything that is neither function traffic nor the admin API. */
  private static final class NotFound extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String domain;
    private final String mountPath;

    NotFound(String domain, String mountPath) {
      this.domain = domain;
      this.mountPath = mountPath;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
      byte[] body = ("{\"status\":\"error\",\"error\":\"nothing here: the admin API is under /api/, and functions"
          + " answer at {name}." + domain + " (send that Host header)"
          + (mountPath == null ? "" : " and at " + mountPath + "/{name}/...") + "\"}").getBytes(StandardCharsets.UTF_8);
      response.setStatus(404);
      response.setContentType("application/json");
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }
}
