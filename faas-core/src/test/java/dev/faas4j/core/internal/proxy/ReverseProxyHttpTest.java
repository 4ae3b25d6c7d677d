package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy in a real Jetty, forwarding to real upstream servers: the successful paths, through
 * every {@link Binding}.
 */
@ExtendWith(NoLeakedThreads.class)
class ReverseProxyHttpTest {

  private static final long MIB = 1024 * 1024;
  private static final long LARGE = 64 * MIB;

  @RegisterExtension final JettyClient client = new JettyClient();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void getRoundTripCarriesStatusHeadersAndBody(Binding binding) throws Exception {
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  response.setStatus(201);
                  response.setHeader("X-Answer", "yes");
                  response.addHeader("Set-Cookie", "a=1");
                  response.addHeader("Set-Cookie", "b=2");
                  response.setContentType("text/plain;charset=utf-8");
                  response
                      .getWriter()
                      .write(request.getMethod() + " " + request.getRequestURI() + "?" + request.getQueryString());
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      ContentResponse response =
          client.newRequest(proxy.uri("/some/path?x=1&y=%20z")).timeout(60, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).as("upstream status reaches the client").isEqualTo(201);
      assertThat(response.getHeaders().get("X-Answer")).as("upstream header").isEqualTo("yes");
      assertThat(response.getHeaders().getValuesList("Set-Cookie"))
          .as("every value of a repeated header")
          .containsExactly("a=1", "b=2");
      assertThat(response.getContentAsString())
          .as("upstream saw the method, raw path and query")
          .isEqualTo("GET /some/path?x=1&y=%20z");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void postRoundTripCarriesRequestBodyAndContentTypeToUpstream(Binding binding) throws Exception {
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                  response.setContentType("text/plain");
                  response.getWriter().write(request.getContentType() + "|" + body);
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      ContentResponse response =
          client
              .newRequest(proxy.uri("/echo"))
              .method(HttpMethod.POST)
              .body(new StringRequestContent("application/json", "{\"a\":1}"))
              .timeout(60, TimeUnit.SECONDS)
              .send();

      assertThat(response.getStatus()).as("status").isEqualTo(200);
      assertThat(response.getContentAsString())
          .as("upstream received the body and its content type")
          .isEqualTo("application/json|{\"a\":1}");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void clientHostHeaderIsKeptTowardsUpstreamAndForwardedHostAndProtoAreSet(Binding binding) throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> record(request, seen));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "GET / HTTP/1.1\r\nHost: v1.hello.func.local\r\nConnection: close\r\n\r\n",
              null);

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(seen.get("host")).as("Host seen upstream").isEqualTo("v1.hello.func.local");
      assertThat(seen.get("x-forwarded-host")).as("X-Forwarded-Host").isEqualTo("v1.hello.func.local");
      assertThat(seen.get("x-forwarded-proto")).as("X-Forwarded-Proto").isEqualTo("http");
      assertThat(seen.get("x-forwarded-for")).as("X-Forwarded-For without an earlier hop").isEqualTo("127.0.0.1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void forwardedForGetsTheClientAddressAppendedToAnEarlierValue(Binding binding) throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> record(request, seen));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      RawClient.exchange(
          proxy.port(),
          "GET / HTTP/1.1\r\nHost: hello.func.local\r\nX-Forwarded-For: 203.0.113.7\r\n"
              + "Connection: close\r\n\r\n",
          null);

      assertThat(seen.get("x-forwarded-for"))
          .as("earlier hops are kept and this client's address appended")
          .isEqualTo("203.0.113.7, 127.0.0.1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void withoutForwardedHeadersTheFunctionLearnsNothingOfTheClient(Binding binding) throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> record(request, seen));
        ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults().withForwardedHeaders(false), upstream.endpoint(), binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "GET / HTTP/1.1\r\nHost: hello.func.local\r\nX-Forwarded-For: 203.0.113.7\r\n"
                  + "X-Forwarded-Host: spoofed.example\r\nX-Forwarded-Proto: https\r\nX-Kept: yes\r\n"
                  + "Connection: close\r\n\r\n",
              null);

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(seen).as("headers seen upstream")
          .doesNotContainKeys("x-forwarded-for", "x-forwarded-host", "x-forwarded-proto")
          .containsEntry("x-kept", "yes")
          .containsEntry("host", "hello.func.local");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void hopByHopRequestHeadersAndThoseNamedInConnectionAreDropped(Binding binding) throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> record(request, seen));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "GET / HTTP/1.1\r\nHost: hello.func.local\r\n"
                  + "Connection: close, X-Drop-Me\r\n"
                  + "X-Drop-Me: secret\r\n"
                  + "Keep-Alive: timeout=5\r\n"
                  + "TE: trailers\r\n"
                  + "Trailer: X-Checksum\r\n"
                  + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                  + "Proxy-Connection: keep-alive\r\n"
                  + "X-Kept: kept\r\n"
                  + "\r\n",
              null);

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(seen.keySet())
          .as("hop-by-hop headers and those named in Connection never reach upstream")
          .doesNotContain(
              "x-drop-me", "keep-alive", "te", "trailer", "proxy-authorization", "proxy-connection");
      assertThat(seen.getOrDefault("connection", ""))
          .as("the client's Connection header is not passed on")
          .doesNotContainIgnoringCase("x-drop-me")
          .doesNotContainIgnoringCase("close");
      assertThat(seen.get("x-kept")).as("an end-to-end header passes").isEqualTo("kept");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void anUpgradeOfferOtherThanWebSocketIsDeclinedAndTheRequestServedAsHttp11(Binding binding) throws Exception {
    // what the JDK HttpClient sends on a first plain-http request: an h2c offer a server may decline
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> record(request, seen));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(),
          "GET / HTTP/1.1\r\nHost: hello.func.local\r\nConnection: Upgrade, HTTP2-Settings, close\r\n"
              + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n\r\n", null);

      assertThat(response.status()).as("status: %s", response.bodyText()).isEqualTo(200);
      assertThat(seen.keySet()).as("the offer's hop-by-hop headers stay at the proxy")
          .doesNotContain("upgrade", "http2-settings");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aHostNamedInConnectionStillReachesTheFunction(Binding binding) throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> record(request, seen));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      RawClient.Response response = RawClient.exchange(proxy.port(),
          "GET / HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close, Host\r\n\r\n", null);

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(seen.get("host")).as("the Host the function sees, not the instance's own address")
          .isEqualTo("hello.func.local");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void hopByHopResponseHeadersAndThoseNamedInConnectionAreDropped(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  RawUpstream.write(
                      out,
                      "HTTP/1.1 200 OK\r\n"
                          + "Connection: keep-alive, X-Up-Drop\r\n"
                          + "Keep-Alive: timeout=5\r\n"
                          + "X-Up-Drop: secret\r\n"
                          + "Proxy-Authenticate: Basic realm=\"x\"\r\n"
                          + "Upgrade: foo\r\n"
                          + "Trailer: X-Checksum\r\n"
                          + "X-Kept: kept\r\n"
                          + "Content-Length: 2\r\n"
                          + "\r\n"
                          + "ok");
                  while (in.read() >= 0) {
                    // keep the connection until the proxy closes it
                  }
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(), "GET / HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n", null);

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(response.names())
          .as("hop-by-hop response headers and those named in Connection never reach the client")
          .doesNotContain("x-up-drop", "keep-alive", "proxy-authenticate", "upgrade", "trailer");
      assertThat(String.join(",", response.values("Connection")))
          .as("upstream's Connection tokens are not passed on")
          .doesNotContainIgnoringCase("x-up-drop")
          .doesNotContainIgnoringCase("keep-alive");
      assertThat(response.values("X-Kept")).as("an end-to-end header passes").containsExactly("kept");
      assertThat(response.bodyText()).as("body").isEqualTo("ok");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void largeRequestBodyIsStreamedToUpstreamWhileTheClientIsStillSending(Binding binding) throws Exception {
    CountDownLatch upstreamGotFirstMib = new CountDownLatch(1);
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  Payload.Digest received =
                      Payload.read(
                          request.getInputStream(),
                          total -> {
                            if (total >= MIB) {
                              upstreamGotFirstMib.countDown();
                            }
                          });
                  response.getWriter().write(received.bytes() + " " + received.sha256());
                });
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults().withMaxRequestBodyBytes(128 * MIB), upstream.endpoint(), binding)) {

      OutputStreamRequestContent content = new OutputStreamRequestContent();
      InputStreamResponseListener listener = new InputStreamResponseListener();
      client
          .newRequest(proxy.uri("/upload"))
          .method(HttpMethod.POST)
          .body(content)
          .timeout(120, TimeUnit.SECONDS)
          .send(listener);
      AtomicBoolean upstreamReadBeforeClientFinished = new AtomicBoolean();
      Payload.Digest sent;
      try (OutputStream out = content.getOutputStream()) {
        sent =
            Payload.write(
                out,
                LARGE,
                total -> {
                  if (total == 2 * MIB) {
                    out.flush();
                    try {
                      upstreamReadBeforeClientFinished.set(
                          upstreamGotFirstMib.await(60, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
      }
      Response response = listener.get(120, TimeUnit.SECONDS);
      String answer = new String(listener.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(upstreamReadBeforeClientFinished)
          .as("upstream received the first MiB while the client still held back the rest (streamed)")
          .isTrue();
      assertThat(response.getStatus()).as("status").isEqualTo(200);
      assertThat(answer)
          .as("upstream received exactly the bytes sent (count and SHA-256)")
          .isEqualTo(sent.bytes() + " " + sent.sha256());
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
          .as("no connection left leased")
          .isTrue();
    }
  }

  /**
   * A function that answers as it reads (an echo): its answer reaches the client while the client
   * is still sending. Not in the blocking fallback, whose one thread reads the whole body before it
   * writes any of the answer: there the client would wait for an echo that cannot come.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Binding.class, mode = EnumSource.Mode.EXCLUDE, names = "SERVLET_BLOCKING")
  void anAnswerStreamsToTheClientWhileItsRequestBodyStillStreamsUpstream(Binding binding) throws Exception {
    long size = 8 * MIB;
    CountDownLatch clientGotFirstMib = new CountDownLatch(1);
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  InputStream in = request.getInputStream();
                  OutputStream out = response.getOutputStream();
                  byte[] buffer = new byte[16 * 1024];
                  int n;
                  while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                });
        ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults().withMaxRequestBodyBytes(size), upstream.endpoint(), binding)) {
      OutputStreamRequestContent content = new OutputStreamRequestContent();
      InputStreamResponseListener listener = new InputStreamResponseListener();
      client.newRequest(proxy.uri("/echo")).method(HttpMethod.POST).body(content)
          .timeout(120, TimeUnit.SECONDS).send(listener);
      Future<Payload.Digest> echoed = reader.submit(() -> {
        listener.get(120, TimeUnit.SECONDS);
        return Payload.read(listener.getInputStream(), total -> {
          if (total >= MIB) {
            clientGotFirstMib.countDown();
          }
        });
      });
      AtomicBoolean echoArrivedWhileSending = new AtomicBoolean();
      Payload.Digest sent;
      try (OutputStream out = content.getOutputStream()) {
        sent = Payload.write(out, size, total -> {
          if (total == 2 * MIB) {
            out.flush();
            try {
              echoArrivedWhileSending.set(Await.latch(clientGotFirstMib));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
      }

      assertThat(echoArrivedWhileSending)
          .as("the client received the first MiB of the answer while it held back the rest of its body")
          .isTrue();
      assertThat(echoed.get(120, TimeUnit.SECONDS)).as("the whole echo, byte for byte").isEqualTo(sent);
    } finally {
      reader.shutdownNow();
      assertThat(reader.awaitTermination(30, TimeUnit.SECONDS)).as("reader thread ended").isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void largeResponseBodyIsStreamedToClientWhileUpstreamIsStillSending(Binding binding) throws Exception {
    CountDownLatch clientGotFirstMib = new CountDownLatch(1);
    AtomicBoolean clientReadBeforeUpstreamFinished = new AtomicBoolean();
    Payload.Digest[] sent = new Payload.Digest[1];
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  response.setContentLengthLong(LARGE);
                  OutputStream out = response.getOutputStream();
                  sent[0] =
                      Payload.write(
                          out,
                          LARGE,
                          total -> {
                            if (total == 2 * MIB) {
                              out.flush();
                              try {
                                clientReadBeforeUpstreamFinished.set(
                                    clientGotFirstMib.await(60, TimeUnit.SECONDS));
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                              }
                            }
                          });
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      InputStreamResponseListener listener = new InputStreamResponseListener();
      client.newRequest(proxy.uri("/download")).timeout(120, TimeUnit.SECONDS).send(listener);
      Response response = listener.get(120, TimeUnit.SECONDS);
      Payload.Digest received =
          Payload.read(
              listener.getInputStream(),
              total -> {
                if (total >= MIB) {
                  clientGotFirstMib.countDown();
                }
              });

      assertThat(response.getStatus()).as("status").isEqualTo(200);
      assertThat(response.getHeaders().getLongField("Content-Length"))
          .as("upstream's Content-Length reaches the client")
          .isEqualTo(LARGE);
      assertThat(clientReadBeforeUpstreamFinished)
          .as("the client received the first MiB while upstream still held back the rest (streamed)")
          .isTrue();
      assertThat(received).as("the client received exactly the bytes upstream sent").isEqualTo(sent[0]);
    }
  }

  /**
   * A function may answer without reading the whole upload (a refusal, say). The answer must reach
   * the client whole even though the client has not finished sending: in async mode a body read is
   * still waiting for the client when the answer ends. The blocking fallback writes the answer
   * only once it has read the whole body, so there the client sends the rest after the function
   * answered.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void anAnswerThatEndsBeforeTheUploadDoesReachesTheClientWhole(Binding binding) throws Exception {
    CountDownLatch upstreamAnswered = new CountDownLatch(1);
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  in.readNBytes(5);
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
                  upstreamAnswered.countDown();
                  while (in.read() >= 0) {
                    // drain until the proxy closes: unread bytes would turn the close into a reset
                  }
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      client.setSoTimeout(60_000);
      OutputStream out = client.getOutputStream();
      out.write("POST /f HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 100000\r\n\r\nfirst"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (binding == Binding.SERVLET_BLOCKING) {
        assertThat(Await.latch(upstreamAnswered)).as("the function answered").isTrue();
        out.write(new byte[100000 - 5]);
        out.flush();
      }

      RawClient.Response response = RawClient.read(client.getInputStream());

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(response.bodyText()).as("the whole answer, to its last chunk").isEqualTo("ok");
      assertThat(proxy.awaitOutcomes(1).errors).as("no error answered").isEmpty();
      assertThat(proxy.propagated).as("the exchange was not aborted").isEmpty();
    }
  }

  /** Answers without a body: to a HEAD request, 204 and 304; each as the function sends it. */
  enum Bodiless {
    HEAD("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-Kind: head\r\n\r\n"),
    NO_CONTENT("GET", "HTTP/1.1 204 No Content\r\nX-Kind: no-content\r\n\r\n"),
    NOT_MODIFIED("GET", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 1234\r\nX-Kind: not-modified\r\n\r\n");

    final String method;
    final String answer;

    Bodiless(String method, String answer) {
      this.method = method;
      this.answer = answer;
    }

    int status() {
      return Integer.parseInt(answer.substring(9, 12));
    }
  }

  static Stream<Arguments> bodilessAnswers() {
    return Arrays.stream(Binding.values())
        .flatMap(binding -> Arrays.stream(Bodiless.values()).map(kind -> Arguments.of(kind, binding)));
  }

  /**
   * An answer without a body is complete once its head is sent: the exchange ends without a body
   * write, and the client's connection carries the next request as if nothing had happened (a
   * stray body byte, or an answer never ended, would spoil the second exchange).
   */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("bodilessAnswers")
  void anAnswerWithoutABodyEndsAndTheClientConnectionServesTheNextRequest(Bodiless kind, Binding binding)
      throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  while (true) {
                    String head;
                    try {
                      head = RawUpstream.readHead(in);
                    } catch (IOException closed) {
                      return;
                    }
                    RawUpstream.write(
                        out, head.startsWith("GET /next ") ? "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext" : kind.answer);
                  }
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      client.setSoTimeout(60_000);
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();

      RawUpstream.write(out, kind.method + " /f HTTP/1.1\r\nHost: hello.func.local\r\n\r\n");
      String head = RawUpstream.readHead(in);
      RawUpstream.write(out, "GET /next HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n");
      RawClient.Response next = RawClient.read(in);

      assertThat(head).as("the function's status").startsWith("HTTP/1.1 " + kind.status() + " ");
      assertThat(head).as("the function's headers").contains(kind.answer.lines().filter(l -> l.startsWith("X-Kind")).findFirst().orElseThrow());
      if (kind != Bodiless.NO_CONTENT) {
        assertThat(head).as("the length of the body the function left out").containsIgnoringCase("Content-Length: 1234");
      }
      assertThat(next.status()).as("the next request on the same connection is answered").isEqualTo(200);
      assertThat(next.bodyText()).as("with its own body, nothing left over from the first").isEqualTo("next");
      assertThat(proxy.awaitOutcomes(2).errors).as("no error answered").isEmpty();
      assertThat(proxy.propagated).as("nothing aborted").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void upstreamConnectionsAreKeptAliveAndReturnedToThePool(Binding binding) throws Exception {
    Set<Integer> upstreamSeenPorts = Collections.newSetFromMap(new ConcurrentHashMap<>());
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  upstreamSeenPorts.add(request.getRemotePort());
                  response.getWriter().write("ok");
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      for (int i = 0; i < 3; i++) {
        ContentResponse response =
            client.newRequest(proxy.uri("/again")).timeout(60, TimeUnit.SECONDS).send();
        assertThat(response.getStatus()).as("status of request %d", i).isEqualTo(200);
        assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
            .as("connection released after request %d", i)
            .isTrue();
      }

      assertThat(upstreamSeenPorts).as("three sequential requests share one upstream connection").hasSize(1);
      assertThat(proxy.proxy.poolStats().leased()).as("no connection left leased").isZero();
      assertThat(proxy.proxy.poolStats().available()).as("the connection is back in the pool").isEqualTo(1);
    }
  }

  private static void record(HttpServletRequest request, Map<String, String> seen) {
    for (String name : Collections.list(request.getHeaderNames())) {
      List<String> values = Collections.list(request.getHeaders(name));
      seen.put(name.toLowerCase(Locale.ROOT), String.join(", ", values));
    }
  }

}
