package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.RefusedPort;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Response;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proxy in a real Jetty against upstreams that fail: timeouts, refusals, resets, limits; each
 * through every {@link Binding}, which must all report the same outcome.
 */
@ExtendWith(NoLeakedThreads.class)
class ReverseProxyFaultTest {

  private static final String GET =
      "GET /f HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n";

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final JettyClient client = new JettyClient();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void upstreamThatNeverAnswersIsAnsweredWith504(Binding binding) throws Exception {
    try (RawUpstream upstream = new RawUpstream(silentUpstream());
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults().withResponseTimeout(Duration.ofMillis(300)),
                Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status()).as("a silent upstream gives 504").isEqualTo(504);
      assertThat(proxy.awaitOutcomes(1).errors).as("reason reported to the caller").extracting(e -> e.reason())
          .containsExactly(Reason.UPSTREAM_TIMEOUT);
      assertJsonError(response, proxy.errors.get(0).getMessage());
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
          .as("no connection left leased")
          .isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void perRequestTimeoutOverridesTheSettings(Binding binding) throws Exception {
    try (RawUpstream upstream = new RawUpstream(silentUpstream());
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults().withResponseTimeout(Duration.ofDays(1)),
                Endpoint.Http.loopback(upstream.port()), binding)) {
      proxy.timeout(Duration.ofMillis(300));

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status())
          .as("the function's own timeout applies instead of the one-day default")
          .isEqualTo(504);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void refusedConnectionIsAnsweredWith502(Binding binding) throws Exception {
    try (RefusedPort closed = new RefusedPort();
        ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(closed.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status()).as("nothing listens on the port: 502").isEqualTo(502);
      assertThat(proxy.awaitOutcomes(1).errors.get(0).getMessage())
          .as("the message says the connection was refused")
          .contains("refused");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aRequestWithABodyToARefusedPortIsAnsweredWith502(Binding binding) throws Exception {
    try (RefusedPort closed = new RefusedPort();
        ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(closed.port()), binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 4\r\nConnection: close\r\n\r\n",
              "data".getBytes(StandardCharsets.US_ASCII));

      assertThat(response.status()).as("the upstream refused: 502, body or not").isEqualTo(502);
      assertThat(proxy.awaitOutcomes(1).errors).extracting(e -> e.reason()).containsExactly(Reason.UPSTREAM_ERROR);
      assertThat(proxy.propagated).as("nothing thrown at the container").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void upstreamResetBeforeAnsweringIsAnsweredWith502(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.reset(socket);
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status()).as("a reset upstream gives 502").isEqualTo(502);
      assertThat(proxy.awaitOutcomes(1).errors).extracting(e -> e.reason()).as("reason").containsExactly(Reason.UPSTREAM_ERROR);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void upstreamResetAfterItsHeadButBeforeAnyBodyIsAnsweredWith502(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(
                      out, "HTTP/1.1 200 OK\r\nX-Doomed: yes\r\nContent-Length: 100000\r\n\r\n");
                  RawUpstream.reset(socket);
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status())
          .as("nothing was sent to the client yet, so the failure is a clean 502")
          .isEqualTo(502);
      assertThat(response.values("X-Doomed"))
          .as("headers of the failed upstream answer are not leaked into the error")
          .isEmpty();
      assertJsonError(response, proxy.awaitOutcomes(1).errors.get(0).getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void malformedUpstreamAnswerIsAnsweredWith502(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(out, "THIS IS NOT HTTP\r\n\r\n");
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(), GET, null);

      assertThat(response.status()).as("garbage instead of a status line gives 502").isEqualTo(502);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void upstreamFailureAfterTheResponseIsCommittedAbortsTheClientConnection(Binding binding) throws Exception {
    CountDownLatch clientGotData = new CountDownLatch(1);
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                  byte[] chunk = new byte[16 * 1024];
                  for (int i = 0; i < 16; i++) {
                    RawUpstream.write(out, Integer.toHexString(chunk.length) + "\r\n");
                    out.write(chunk);
                    RawUpstream.write(out, "\r\n");
                  }
                  Await.latch(clientGotData);
                  RawUpstream.reset(socket);
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      InputStreamResponseListener listener = new InputStreamResponseListener();
      client.newRequest(proxy.uri("/f")).timeout(60, TimeUnit.SECONDS).send(listener);
      Response response = listener.get(60, TimeUnit.SECONDS);
      InputStream body = listener.getInputStream();
      body.readNBytes(64 * 1024);
      clientGotData.countDown();

      assertThat(response.getStatus()).as("the response had started").isEqualTo(200);
      assertThatThrownBy(body::readAllBytes)
          .as("a body cut off upstream must not look complete to the client")
          .isInstanceOf(IOException.class);
      assertThat(Await.until(() -> !proxy.propagated.isEmpty())).as("forward threw").isTrue();
      assertThat(proxy.propagated.get(0))
          .as("forward reports an aborted response, not an error to write")
          .isInstanceOf(ReverseProxy.ResponseAbortedException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void bodyOverTheLimitByContentLengthIsAnsweredWith413WithoutContactingUpstream(Binding binding) throws Exception {
    try (RawUpstream upstream = new RawUpstream(silentUpstream());
        ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults().withMaxRequestBodyBytes(1000), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 1001\r\n"
                  + "Connection: close\r\n\r\n",
              new byte[1001]);

      assertThat(response.status()).as("declared length over the limit gives 413").isEqualTo(413);
      assertJsonError(response, proxy.awaitOutcomes(1).errors.get(0).getMessage());
      assertThat(upstream.connections).as("upstream was never contacted").hasValue(0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void chunkedBodyOverTheLimitIsAnsweredWith413AndTheUpstreamExchangeIsAborted(Binding binding) throws Exception {
    CountDownLatch upstreamSawClose = new CountDownLatch(1);
    AtomicLong upstreamReceived = new AtomicLong();
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  byte[] buffer = new byte[8192];
                  try {
                    // the proxy may give up before the head is even sent: also a close
                    RawUpstream.readHead(in);
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                      upstreamReceived.addAndGet(n);
                    }
                  } catch (IOException closed) {
                    // reset by the proxy: also a close
                  }
                  upstreamSawClose.countDown();
                });
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults().withMaxRequestBodyBytes(64 * 1024), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response;
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        OutputStream out = socket.getOutputStream();
        RawUpstream.write(
            out, "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nTransfer-Encoding: chunked\r\n\r\n");
        byte[] chunk = new byte[8 * 1024];
        for (int i = 0; i < 10; i++) { // 80 KiB, no last chunk: the body is still open
          RawUpstream.write(out, Integer.toHexString(chunk.length) + "\r\n");
          out.write(chunk);
          RawUpstream.write(out, "\r\n");
        }
        response = RawClient.read(socket.getInputStream());
      }

      assertThat(response.status()).as("a chunked body over the limit gives 413").isEqualTo(413);
      assertThat(Await.latch(upstreamSawClose))
          .as("the upstream connection carrying the partial body was closed")
          .isTrue();
      assertThat(upstreamReceived.get())
          .as("upstream never received the whole body")
          .isLessThan(80 * 1024);
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
          .as("no connection left leased")
          .isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void clientDisconnectMidResponseClosesTheUpstreamConnection(Binding binding) throws Exception {
    CountDownLatch upstreamSawClose = new CountDownLatch(1);
    try (RawUpstream upstream = new RawUpstream(RawUpstream.endlessChunkedAnswer(16 * 1024, upstreamSawClose));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        socket.getOutputStream().write(GET.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        byte[] some = socket.getInputStream().readNBytes(64 * 1024);
        assertThat(some).as("the response had started streaming").hasSize(64 * 1024);
        socket.setSoLinger(true, 0);
      }

      assertThat(Await.latch(upstreamSawClose))
          .as("upstream sees its connection closed after the client went away")
          .isTrue();
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
          .as("the aborted connection is not leaked")
          .isTrue();
      assertThat(proxy.proxy.poolStats().available())
          .as("the aborted connection is not returned to the pool for reuse")
          .isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void clientDisconnectMidRequestBodyClosesTheUpstreamConnection(Binding binding) throws Exception {
    CountDownLatch upstreamGotBytes = new CountDownLatch(1);
    CountDownLatch upstreamSawClose = new CountDownLatch(1);
    try (RawUpstream upstream = new RawUpstream(RawUpstream.readsUntilClosed(upstreamGotBytes, upstreamSawClose));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /f HTTP/1.1\r\nHost: hello.func.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        assertThat(Await.latch(upstreamGotBytes)).as("the body had started flowing upstream").isTrue();
        socket.setSoLinger(true, 0);
      }

      assertThat(Await.latch(upstreamSawClose))
          .as("upstream sees its connection closed after the client went away mid-body")
          .isTrue();
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
          .as("the aborted connection is not leaked")
          .isTrue();
    }
  }

  /**
   * The client's body breaks (a malformed chunk) while the function waits for it: nothing was
   * answered yet, and it is not the function's failure, so the client's connection is dropped,
   * as by any other abort; no binding answers with a page of its server's own.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void anUploadThatBreaksBeforeTheAnswerStartedDropsTheClientConnection(Binding binding) throws Exception {
    CountDownLatch upstreamGotBytes = new CountDownLatch(1);
    CountDownLatch upstreamSawClose = new CountDownLatch(1);
    try (RawUpstream upstream = new RawUpstream(RawUpstream.readsUntilClosed(upstreamGotBytes, upstreamSawClose));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      client.setSoTimeout(60_000);
      OutputStream out = client.getOutputStream();
      RawUpstream.write(
          out, "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      assertThat(Await.latch(upstreamGotBytes)).as("the body had started flowing upstream").isTrue();

      RawUpstream.write(out, "zz\r\nnot a chunk\r\n");

      assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
          .as("the connection is closed without an answer")
          .isEmpty();
      assertThat(Await.latch(upstreamSawClose)).as("the upstream connection is closed").isTrue();
      assertThat(proxy.awaitOutcomes(1).propagated)
          .as("reported as the client's failure")
          .singleElement()
          .isInstanceOf(IOException.class);
      assertThat(proxy.errors).as("no error answered").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void errorAnswersFromUpstreamArePassedThroughUnchanged(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(
                      out, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy");
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      ContentResponse response = client.newRequest(proxy.uri("/f")).timeout(60, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).as("the function's own 503 is not a proxy failure").isEqualTo(503);
      assertThat(response.getContentAsString()).as("its body").isEqualTo("busy");
      assertThat(proxy.awaitOutcomes(1).errors).as("forward reported no failure").isEmpty();
    }
  }

  /** The error answer is JSON, of its declared length, saying what went wrong. */
  private static void assertJsonError(RawClient.Response response, String message) throws IOException {
    assertThat(response.values("Content-Type")).as("an error answer is JSON").singleElement()
        .asString().startsWithIgnoringCase("application/json");
    assertThat(response.values("Content-Length")).as("of declared length")
        .containsExactly(Integer.toString(response.body().length));
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).as("status field").isEqualTo("error");
    assertThat(body.path("error").asText()).as("the message of the error reported").isEqualTo(message);
  }

  /** Reads the request head, then holds the connection open until the proxy closes it. */
  private static RawUpstream.ConnectionHandler silentUpstream() {
    return (socket, in, out) -> {
      RawUpstream.readHead(in);
      try {
        while (in.read() >= 0) {
          // drain until closed
        }
      } catch (IOException closed) {
        // reset: also a close
      }
    };
  }
}
