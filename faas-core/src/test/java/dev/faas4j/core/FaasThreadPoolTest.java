package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FaasThreadPool} under a real Jetty server with {@link FaasHandler} in front, proxying to a
 * real HTTP upstream: the proxy's I/O threads continue client connections themselves, keep-alive
 * and pipelined requests are all answered in order, and a server whose handlers may block gets
 * the plain {@code QueuedThreadPool} behaviour.
 */
@ExtendWith(NoLeakedThreads.class)
class FaasThreadPoolTest {

  private final InMemoryProvider lifecycle = new InMemoryProvider(spec -> request -> FunctionResponse.ok("unused"));
  private final List<Server> servers = new ArrayList<>();
  private Faas faas;

  @BeforeEach
  void start() throws Exception {
    Server upstream = started(new Server(pool(new QueuedThreadPool())), new PathUpstream());
    faas = Faas.builder()
        .provider(new OverHttpProvider(lifecycle, Endpoint.Http.loopback(port(upstream))))
        .store(new InMemoryStore())
        .build();
    faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version("v1").code("x").build(), null);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (Server server : servers) {
        server.stop();
      }
    } finally {
      faas.close();
    }
  }

  @Test
  void theProxyIoThreadContinuesTheClientsConnectionItself() throws Exception {
    FaasThreadPool threads = pool(new FaasThreadPool());
    Server server = started(new Server(threads), new FaasHandler(faas, null));
    assertThat(server.getInvocationType()).isEqualTo(InvocationType.NON_BLOCKING);

    try (Socket client = new Socket("127.0.0.1", port(server))) {
      for (int i = 0; i < 40; i++) {
        send(client, "/n/" + i);
        assertThat(readAnswer(client.getInputStream())).isEqualTo("GET /n/" + i);
      }
    }

    // each answer completed on an I/O thread, which then read on the connection itself (a resume
    // that overtakes its answer's completion needs no hand-off at all, so not every request counts)
    assertThat(threads.getContinuedOnIoThreads()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWhenTheIoThreadContinuesTheConnection() throws Exception {
    FaasThreadPool threads = pool(new FaasThreadPool());
    Server server = started(new Server(threads), new FaasHandler(faas, null));

    try (Socket client = new Socket("127.0.0.1", port(server))) {
      StringBuilder three = new StringBuilder();
      for (String path : List.of("/a", "/b", "/c")) {
        three.append(request(path));
      }
      client.getOutputStream().write(three.toString().getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();

      InputStream in = client.getInputStream();
      assertThat(List.of(readAnswer(in), readAnswer(in), readAnswer(in))).containsExactly("GET /a", "GET /b", "GET /c");
    }
    assertThat(threads.getContinuedOnIoThreads()).isPositive();
  }

  @Test
  void aServerWhoseHandlersMayBlockIsServedAsByQueuedThreadPool() throws Exception {
    FaasThreadPool threads = pool(new FaasThreadPool());
    Handler.Sequence blockingFirst = new Handler.Sequence(new Handler.Abstract() { // BLOCKING by default
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return false;
      }
    }, new FaasHandler(faas, null));
    Server server = started(new Server(threads), blockingFirst);
    assertThat(server.getInvocationType()).isEqualTo(InvocationType.BLOCKING);

    try (Socket client = new Socket("127.0.0.1", port(server))) {
      for (int i = 0; i < 10; i++) {
        send(client, "/m/" + i);
        assertThat(readAnswer(client.getInputStream())).isEqualTo("GET /m/" + i);
      }
    }
    assertThat(threads.getContinuedOnIoThreads()).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  private static String request(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: hello.func.local\r\n\r\n";
  }

  private static void send(Socket client, String path) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write(request(path).getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads one answer with a Content-Length body; returns the body, after checking the status is 200. */
  private static String readAnswer(InputStream in) throws IOException {
    String head = readHead(in);
    assertThat(head).startsWith("HTTP/1.1 200 ");
    int length = -1;
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    assertThat(length).as("Content-Length in %s", head).isNotNegative();
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection closed in a response head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private Server started(Server server, Handler handler) throws Exception {
    server.setHandler(handler);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    servers.add(server);
    server.start();
    return server;
  }

  private static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  private static <P extends QueuedThreadPool> P pool(P pool) {
    pool.setName("test-pool");
    return pool;
  }

  /** The function: answers with the method and path it was asked for, with a Content-Length. */
  private static final class PathUpstream extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      byte[] body = (request.getMethod() + " " + request.getHttpURI().getPath()).getBytes(StandardCharsets.UTF_8);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      Content.Sink.write(response, true, new String(body, StandardCharsets.UTF_8), callback);
      return true;
    }
  }
}
