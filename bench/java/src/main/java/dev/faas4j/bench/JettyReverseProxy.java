package dev.faas4j.bench;

import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Jetty 12's {@code ProxyHandler.Reverse} in front of one upstream port: the Java reverse proxy a
 * user would pick instead of faas4j, measured in the same rounds as the gateway and nginx by
 * {@code bench/run.sh proxy}. Everything at Jetty's defaults (it forwards {@code Host} and adds
 * {@code X-Forwarded-*}, as the gateway does by default).
 *
 * <p>Usage: {@code java -cp faas-bench.jar dev.faas4j.bench.JettyReverseProxy <upstream port>};
 * prints {@code listening on <port>} once it accepts connections.
 */
public final class JettyReverseProxy {

  private JettyReverseProxy() {
  }

  public static void main(String[] args) throws Exception {
    int upstream = Integer.parseInt(args[0]);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(new ProxyHandler.Reverse(request ->
        HttpURI.build(request.getHttpURI()).scheme("http").host("127.0.0.1").port(upstream)));
    server.start();
    System.out.println("listening on " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }
}
