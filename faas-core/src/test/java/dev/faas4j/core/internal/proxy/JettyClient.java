package dev.faas4j.core.internal.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Jetty HTTP client started before each test and stopped after it, for tests that talk to the
 * proxy as an ordinary client would. Redirects are not followed: the proxy passes them on as they
 * are. Every host name resolves to the loopback address, so a test can address a server by a
 * function's host name ({@code http://hello.func.local:PORT/}) without DNS. Register it as a field
 * with {@code @RegisterExtension}.
 */
final class JettyClient implements BeforeEachCallback, AfterEachCallback {

  private final boolean h2c;
  private HttpClient client;

  /** A client that speaks HTTP/1.1. */
  JettyClient() {
    this(false);
  }

  private JettyClient(boolean h2c) {
    this.h2c = h2c;
  }

  /** A client that speaks HTTP/2 over cleartext with prior knowledge (h2c), never HTTP/1.1. */
  static JettyClient h2c() {
    return new JettyClient(true);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    client = h2c ? new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client())) : new HttpClient();
    client.setFollowRedirects(false);
    client.setSocketAddressResolver((host, port, attributes, promise) ->
        promise.succeeded(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))));
    client.start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    client.stop();
  }

  Request newRequest(URI uri) {
    return client.newRequest(uri);
  }
}
