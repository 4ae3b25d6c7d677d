package example;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasHandler;
import dev.faas4j.core.testing.InMemoryStore;
import dev.faas4j.workerd.WorkerdProvider;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Deploys a function on workerd, serves it with Jetty, calls it and prints the answer. */
public final class Hello {

  private Hello() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    long start = System.nanoTime();
    WorkerdProvider provider = WorkerdProvider.builder().dataDir(data.resolve("workerd")).build();
    System.out.printf("workerd binary: %s (found in %d ms)%n", provider.binary(), (System.nanoTime() - start) / 1_000_000);
    try (Faas faas = Faas.builder().provider(provider).store(new InMemoryStore()).mountPath("/fn").build()) {
      faas.deploy(FunctionSpec.builder("hello").version("v1")
          .code("addEventListener('fetch', e => e.respondWith(new Response('hello from a fresh project')))").build(), null);
      Server server = new Server(new InetSocketAddress("127.0.0.1", 0));
      server.setHandler(new FaasHandler(faas));
      server.start();
      try {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fn/hello/")).build(),
            HttpResponse.BodyHandlers.ofString());
        System.out.println("answer: " + answer.statusCode() + " " + answer.body());
      } finally {
        server.stop();
      }
    }
  }
}
