package dev.faas4j.store.jdbc;

import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.core.testing.InMemoryProvider;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Faas on a JDBC store, serving function traffic over a real Jetty, for the tests that check
 * the store through faas-core. Functions are in-process: each version answers with its code.
 */
final class FaasOverHttp implements AutoCloseable {

  final Faas faas;
  private final Server server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  FaasOverHttp(JdbcFunctionStore store) throws Exception {
    this.faas = faas(store);
    this.server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    FilterHolder functions = new FilterHolder(new FaasFilter(faas));
    functions.setAsyncSupported(true); // answers are written without holding a thread
    context.addFilter(functions, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
  }

  /** A Faas on {@code store} whose versions answer with their code. */
  static Faas faas(JdbcFunctionStore store) {
    return Faas.builder()
        .provider(new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code())))
        .store(store)
        .maintenanceInterval(Duration.ZERO)
        .build();
  }

  /** Status and body of GET / at {@code host}. */
  HttpResponse<String> get(String host) throws Exception {
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Host", host)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    server.stop();
    faas.close();
  }
}
