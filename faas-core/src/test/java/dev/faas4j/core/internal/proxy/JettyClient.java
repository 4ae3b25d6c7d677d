package dev.faas4j.core.internal.proxy;

import java.net.URI;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Jetty HTTP client started before each test and stopped after it, for tests that talk to the
 * proxy as an ordinary client would. Redirects are not followed: the proxy passes them on as they
 * are. Register it as a field with {@code @RegisterExtension}.
 */
final class JettyClient implements BeforeEachCallback, AfterEachCallback {

  private HttpClient client;

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    client = new HttpClient();
    client.setFollowRedirects(false);
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
