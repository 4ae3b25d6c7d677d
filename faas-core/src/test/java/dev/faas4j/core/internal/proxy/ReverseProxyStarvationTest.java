package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Callers of one function cannot starve the others: each instance holds at most its share of the
 * pool, and a client that stalls (sending its body, or reading the answer) is cut after the stall
 * period, freeing its upstream connection. Real sockets on both sides.
 */
class ReverseProxyStarvationTest {

  /** Well under the server's own idle timeout (30 s), which would end a stalled client too. */
  private static final long CUT_WITHIN_MILLIS = 10_000;

  private static final String B_ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void slowUploadsToOneFunctionHoldOnlyItsShareWhileAnotherFunctionKeepsAnswering(Binding binding)
      throws Exception {
    ProxySettings settings =
        ProxySettings.defaults()
            .withMaxConnections(8)
            .withMaxConnectionsPerInstance(4)
            .withConnectTimeout(Duration.ofSeconds(2));
    List<Socket> slowClients = new ArrayList<>();
    try (RawUpstream functionA = new RawUpstream(RawUpstream.readsUntilClosed(new CountDownLatch(1), new CountDownLatch(1)));
        RawUpstream functionB = new RawUpstream(RawUpstream.answers(B_ANSWER));
        ProxyServer proxy = new ProxyServer(settings, null, binding)) {
      proxy.route(path -> path.startsWith("/a") ? Endpoint.Http.loopback(functionA.port()) : Endpoint.Http.loopback(functionB.port()));

      for (int i = 0; i < 10; i++) { // more than the whole pool
        slowClients.add(startUpload(proxy.port(), "/a", 100_000, 1));
      }
      assertThat(Await.until(() -> functionA.connections.get() >= 4))
          .as("function A gets the connections of its share")
          .isTrue();

      RawClient.Response answerOfB =
          RawClient.exchange(proxy.port(), "GET /b HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n", null);

      assertThat(answerOfB.status()).as("function B answers while A's callers stall: " + answerOfB.bodyText()).isEqualTo(200);
      assertThat(answerOfB.bodyText()).isEqualTo("ok");
      assertThat(functionA.connections.get()).as("function A never holds more than its share").isEqualTo(4);
    } finally {
      closeAll(slowClients);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aFunctionOverItsShareIsAnswered503WithoutTheInstancesAddress(Binding binding) throws Exception {
    ProxySettings settings =
        ProxySettings.defaults()
            .withMaxConnections(8)
            .withMaxConnectionsPerInstance(2)
            .withConnectTimeout(Duration.ofMillis(500));
    List<Socket> slowClients = new ArrayList<>();
    try (RawUpstream functionA = new RawUpstream(RawUpstream.readsUntilClosed(new CountDownLatch(1), new CountDownLatch(1)));
        ProxyServer proxy = new ProxyServer(settings, Endpoint.Http.loopback(functionA.port()), binding)) {
      slowClients.add(startUpload(proxy.port(), "/a", 100_000, 1));
      slowClients.add(startUpload(proxy.port(), "/a", 100_000, 1));
      assertThat(Await.until(() -> functionA.connections.get() >= 2)).as("A's share is taken").isTrue();

      RawClient.Response busy =
          RawClient.exchange(proxy.port(), "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", null);

      assertThat(busy.status()).as("over its share: " + busy.bodyText()).isEqualTo(503);
      assertThat(busy.bodyText())
          .as("callers are not told where the instance listens")
          .doesNotContain("127.0.0.1")
          .doesNotContain(Integer.toString(functionA.port()));
    } finally {
      closeAll(slowClients);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aStalledRequestBodyIsCutAndFreesItsUpstreamConnection(Binding binding) throws Exception {
    CountDownLatch gotBytes = new CountDownLatch(1);
    CountDownLatch sawClose = new CountDownLatch(1);
    try (RawUpstream function = new RawUpstream(RawUpstream.readsUntilClosed(gotBytes, sawClose));
        ProxyServer proxy = new ProxyServer(stallAfter(Duration.ofMillis(300)), Endpoint.Http.loopback(function.port()), binding);
        Socket client = startUpload(proxy.port(), "/", 100_000, 10)) {
      assertThat(Await.latch(gotBytes)).as("the body's first bytes reach the function").isTrue();

      assertThat(sawClose.await(CUT_WITHIN_MILLIS, TimeUnit.MILLISECONDS))
          .as("the upstream connection is closed once the client stalls")
          .isTrue();
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0)).as("no connection stays leased").isTrue();
      if (binding == Binding.SERVLET_BLOCKING) {
        return; // the container's thread still waits in a blocking read: the answer comes when it ends
      }
      RawClient.Response answer = RawClient.read(client.getInputStream());
      assertThat(answer.status()).as("the stalled client is told: " + answer.bodyText()).isEqualTo(408);
      assertThat(answer.bodyText()).contains("\"status\":\"error\"").contains("too slowly");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aClientThatStopsReadingTheAnswerIsCutAndFreesItsUpstreamConnection(Binding binding) throws Exception {
    CountDownLatch sawClose = new CountDownLatch(1);
    try (RawUpstream function = new RawUpstream(RawUpstream.endlessChunkedAnswer(16 * 1024, sawClose));
        ProxyServer proxy = new ProxyServer(stallAfter(Duration.ofMillis(300)), Endpoint.Http.loopback(function.port()), binding);
        Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()));
      client.getOutputStream().write(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
      client.getOutputStream().flush();
      // and never reads

      assertThat(sawClose.await(CUT_WITHIN_MILLIS, TimeUnit.MILLISECONDS))
          .as("the upstream connection is closed once the client stops taking the answer")
          .isTrue();
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0)).as("no connection stays leased").isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aClientThatKeepsReadingIsNotCutByAShortStallPeriod(Binding binding) throws Exception {
    int length = 8 * 1024 * 1024;
    RawUpstream.ConnectionHandler large = (socket, in, out) -> {
      RawUpstream.readHead(in);
      RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n");
      byte[] piece = new byte[64 * 1024];
      for (int sent = 0; sent < length; sent += piece.length) {
        out.write(piece);
      }
      out.flush();
    };
    try (RawUpstream function = new RawUpstream(large);
        ProxyServer proxy = new ProxyServer(stallAfter(Duration.ofMillis(300)), Endpoint.Http.loopback(function.port()), binding)) {
      RawClient.Response answer =
          RawClient.exchange(proxy.port(), "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", null);

      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.body()).as("the whole answer").hasSize(length);
    }
  }

  private static ProxySettings stallAfter(Duration period) {
    return ProxySettings.defaults().withClientStallTimeout(period);
  }

  /** Opens a connection that declares a body of {@code declared} bytes and sends {@code sent} of them. */
  private static Socket startUpload(int port, String path, int declared, int sent) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    out.write(ascii("POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + declared + "\r\n\r\n"));
    out.write(new byte[sent]);
    out.flush();
    return socket;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static void closeAll(List<Socket> sockets) throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

}
