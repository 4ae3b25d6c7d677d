package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.Endpoint;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.http.UpstreamClient;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proxy's upstream leg ({@link UpstreamClient}), through the proxy in a real Jetty, against raw
 * upstreams that do what a keep-alive peer may do: close a connection as a request arrives, send
 * bytes nobody asked for, keep every connection busy.
 */
@ExtendWith(NoLeakedThreads.class)
class ReverseProxyUpstreamTest {

  private static final String GET =
      "GET /f HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n";
  private static final String POST =
      "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 4\r\nConnection: close\r\n\r\n";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /** Clients that run while the test thread does something else. */
  private final ExecutorService clients = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopClients() throws InterruptedException {
    clients.shutdownNow();
    assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).as("client threads ended").isTrue();
  }

  /**
   * The first connection answers one request, then closes as the next one arrives, without a word:
   * what a keep-alive peer does when its idle timer fires just as a request is sent.
   */
  private static RawUpstream.ConnectionHandler closesAfterOneAnswer(AtomicInteger served) {
    AtomicInteger connections = new AtomicInteger();
    return (socket, in, out) -> {
      boolean first = connections.incrementAndGet() == 1;
      while (true) {
        RawUpstream.readHead(in);
        if (first && served.get() == 1) {
          return; // closes the socket with the request unanswered
        }
        served.incrementAndGet();
        RawUpstream.write(out, OK);
      }
    };
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aRequestWithoutBodyIsSentAgainWhenAReusedConnectionClosesBeforeAnswering(Binding binding) throws Exception {
    AtomicInteger served = new AtomicInteger();
    try (RawUpstream upstream = new RawUpstream(closesAfterOneAnswer(served));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {
      assertThat(RawClient.exchange(proxy.port(), GET, null).status()).isEqualTo(200);
      // the client may have its answer a moment before the connection is back in the pool
      assertThat(Await.until(() -> proxy.proxy.poolStats().available() == 1)).isTrue();

      RawClient.Response second = RawClient.exchange(proxy.port(), GET, null);

      assertThat(second.status()).as("sent again on a new connection").isEqualTo(200);
      assertThat(second.bodyText()).isEqualTo("ok");
      assertThat(upstream.connections.get()).as("connections the upstream saw").isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aRequestWithABodyIsNotSentTwice(Binding binding) throws Exception {
    AtomicInteger served = new AtomicInteger();
    try (RawUpstream upstream = new RawUpstream(closesAfterOneAnswer(served));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {
      assertThat(RawClient.exchange(proxy.port(), GET, null).status()).isEqualTo(200);
      // the client may have its answer a moment before the connection is back in the pool
      assertThat(Await.until(() -> proxy.proxy.poolStats().available() == 1)).isTrue();

      RawClient.Response second =
          RawClient.exchange(proxy.port(), POST, "data".getBytes(StandardCharsets.US_ASCII));

      assertThat(second.status())
          .as("the function may have acted on it: the failure is reported, not retried")
          .isEqualTo(502);
      assertThat(upstream.connections.get()).as("no second connection").isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aConnectionWithBytesAfterTheAnswerIsNotReused(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  // a second answer nobody asked for: reused, it would answer the next request
                  RawUpstream.write(out, OK + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale");
                  in.read(); // hold the connection open until the proxy closes it
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response first = RawClient.exchange(proxy.port(), GET, null);
      RawClient.Response second = RawClient.exchange(proxy.port(), GET, null);

      assertThat(first.bodyText()).isEqualTo("ok");
      assertThat(second.bodyText()).as("the stale answer was dropped with its connection").isEqualTo("ok");
      assertThat(upstream.connections.get()).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aConnectionTheFunctionClosesWhileIdleLeavesThePool(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(out, OK);
                  // and then closes the idle keep-alive connection
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      assertThat(RawClient.exchange(proxy.port(), GET, null).status()).isEqualTo(200);

      assertThat(Await.until(() -> proxy.proxy.poolStats().available() == 0 && proxy.proxy.poolStats().leased() == 0))
          .as("the closed connection is noticed without a request")
          .isTrue();
      assertThat(RawClient.exchange(proxy.port(), GET, null).status()).isEqualTo(200);
    }
  }

  /** Answers {@code answers} requests on a connection once {@code release} opens, then holds it. */
  private static RawUpstream.ConnectionHandler answersOnceReleased(CountDownLatch release, int answers) {
    return (socket, in, out) -> {
      for (int i = 0; i < answers; i++) {
        RawUpstream.readHead(in);
        release.await(30, TimeUnit.SECONDS);
        RawUpstream.write(out, OK);
      }
      in.read();
    };
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void whenEveryConnectionStaysBusyARequestWaitsThenGets503(Binding binding) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (RawUpstream upstream =
            new RawUpstream(answersOnceReleased(release, 1));
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults().withMaxConnections(1).withConnectTimeout(Duration.ofMillis(300)),
                Endpoint.Http.loopback(upstream.port()), binding)) {
      Future<RawClient.Response> busy = clients.submit(() -> RawClient.exchange(proxy.port(), GET, null));
      assertThat(Await.until(() -> upstream.connections.get() == 1)).isTrue();

      RawClient.Response refused = RawClient.exchange(proxy.port(), GET, null);
      release.countDown();

      assertThat(refused.status()).as("no connection came free within the connect timeout").isEqualTo(503);
      assertThat(busy.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(proxy.awaitOutcomes(2).errors).extracting(e -> e.reason()).containsExactly(Reason.UNAVAILABLE);
      assertThat(upstream.connections.get()).as("never more than the one allowed").isEqualTo(1);
    } finally {
      release.countDown();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aWaitingRequestTakesTheConnectionTheFirstOneFrees(Binding binding) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (RawUpstream upstream =
            new RawUpstream(answersOnceReleased(release, 2));
        ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults().withMaxConnections(1), Endpoint.Http.loopback(upstream.port()), binding)) {
      Future<RawClient.Response> first = clients.submit(() -> RawClient.exchange(proxy.port(), GET, null));
      assertThat(Await.until(() -> upstream.connections.get() == 1)).isTrue();
      Future<RawClient.Response> second = clients.submit(() -> RawClient.exchange(proxy.port(), GET, null));
      assertThat(Await.until(() -> proxy.proxy.poolStats().pending() == 1)).as("the second waits").isTrue();

      release.countDown();

      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(second.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(upstream.connections.get()).as("both over the one connection").isEqualTo(1);
    } finally {
      release.countDown();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void headerBytesReachTheFunctionAsTheClientSentThem(Binding binding) throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  seen.set(RawUpstream.readHead(in)); // one char per byte
                  RawUpstream.write(out, OK);
                  in.read();
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {
      String utf8 = new String("caf\u00e9 \u20ac".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      String latin1 = "caf\u00e9";

      RawClient.Response response = RawClient.exchange(proxy.port(),
          "GET /f HTTP/1.1\r\nHost: hello.func.local\r\nX-Utf8: " + utf8 + "\r\nX-Latin1: " + latin1
              + "\r\nConnection: close\r\n\r\n", null);

      assertThat(response.status()).isEqualTo(200);
      assertThat(seen.get()).as("UTF-8 bytes pass unchanged").contains("X-Utf8: " + utf8 + "\r\n");
      assertThat(seen.get()).as("a Latin-1 byte passes unchanged").contains("X-Latin1: " + latin1 + "\r\n");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aClientThatPausesItsUploadLongerThanTheTimeoutIsNotBlamedOnTheFunction(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  byte[] body = in.readNBytes(8);
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n"
                      + new String(body, StandardCharsets.US_ASCII));
                  in.read();
                });
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults().withResponseTimeout(Duration.ofMillis(300)), Endpoint.Http.loopback(upstream.port()), binding);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      OutputStream out = client.getOutputStream();
      out.write("POST /f HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhalf"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(1_000); // the function has all there is and waits, like the proxy, for the client

      out.write("rest".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawClient.Response response = RawClient.read(client.getInputStream());

      assertThat(response.status()).as("the silence was the client's: no 504").isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("halfrest");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aResponseHeadLargerThanTheLimitIsAnsweredWith502(Binding binding) throws Exception {
    String huge = "x".repeat(UpstreamClient.MAX_HEAD_BYTES);
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nX-Huge: " + huge + "\r\nContent-Length: 2\r\n\r\nok");
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status()).isEqualTo(502);
      assertThat(proxy.awaitOutcomes(1).errors.get(0).getMessage()).contains("larger than");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void anAnswerTrickledOneByteAtATimeArrivesWhole(Binding binding) throws Exception {
    String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  socket.setTcpNoDelay(true);
                  for (byte b : answer.getBytes(StandardCharsets.US_ASCII)) {
                    out.write(b);
                    out.flush();
                  }
                  in.read();
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("hello world");
    }
  }
}
