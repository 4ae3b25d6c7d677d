package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import dev.faas4j.core.internal.proxy.ProxyServer.ClientRequest;
import dev.faas4j.core.internal.proxy.ProxyServer.Protocol;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy behind a real HTTP/2 connection (h2c, prior knowledge) from a real HTTP/2 client,
 * through every {@link Binding}, to a function over HTTP (spoken to in HTTP/1.1) and to an
 * in-process one. HTTP/2 frames a body with DATA frames and ends it with END_STREAM: a request
 * needs neither Content-Length nor Transfer-Encoding, has no Host header (its {@code :authority}
 * names the server), and carries no hop-by-hop headers, which the proxy must turn into a well-formed
 * HTTP/1.1 request and back.
 */
@ExtendWith(NoLeakedThreads.class)
class ReverseProxyHttp2Test {

  /** Several HTTP/2 DATA frames (16 KiB each by default) and several proxy buffers. */
  private static final int LARGE = 300 * 1024;

  @RegisterExtension final JettyClient client = JettyClient.h2c();

  /** Where a function runs: behind HTTP/1.1, or in the proxy's process. */
  enum Function {
    HTTP,
    IN_PROCESS
  }

  /**
   * What the function saw of a request: the protocol it was spoken to in, the framing headers, the
   * Host, and the body's length and hash.
   */
  record Seen(
      String method,
      String protocol,
      String contentLength,
      String transferEncoding,
      String host,
      String forwardedHost,
      Payload.Digest body) {}

  /**
   * A function that records what it saw and answers 201 with two headers (one repeated) and a body
   * naming the body it got.
   */
  private static final class RecordingFunction implements AutoCloseable {
    final AtomicReference<Seen> seen = new AtomicReference<>();
    private final JettyUpstream upstream;
    private final Endpoint endpoint;

    RecordingFunction(Function where) throws Exception {
      if (where == Function.HTTP) {
        upstream =
            new JettyUpstream(
                (request, response) -> {
                  seen.set(
                      new Seen(
                          request.getMethod(),
                          request.getProtocol(),
                          request.getHeader("Content-Length"),
                          request.getHeader("Transfer-Encoding"),
                          request.getHeader("Host"),
                          request.getHeader("X-Forwarded-Host"),
                          Payload.read(request.getInputStream(), Payload.BlockListener.NONE)));
                  response.setStatus(201);
                  response.setHeader("X-Answer", "yes");
                  response.addHeader("Set-Cookie", "a=1");
                  response.addHeader("Set-Cookie", "b=2");
                  response.setContentType("text/plain;charset=utf-8");
                  response.getWriter().write(answer(seen.get()));
                });
        endpoint = upstream.endpoint();
      } else {
        upstream = null;
        endpoint =
            new Endpoint.InProcess(
                request -> {
                  Seen saw =
                      new Seen(
                          request.method(),
                          null,
                          request.header("Content-Length"),
                          request.header("Transfer-Encoding"),
                          request.header("Host"),
                          request.header("X-Forwarded-Host"),
                          Payload.read(new ByteArrayInputStream(request.body()), Payload.BlockListener.NONE));
                  seen.set(saw);
                  return new FunctionResponse(
                      201,
                      Map.of(
                          "X-Answer", List.of("yes"),
                          "Set-Cookie", List.of("a=1", "b=2"),
                          "Content-Type", List.of("text/plain;charset=utf-8")),
                      answer(saw).getBytes(StandardCharsets.UTF_8));
                });
      }
    }

    static String answer(Seen seen) {
      return seen.method() + " got " + seen.body().bytes() + " bytes";
    }

    Endpoint endpoint() {
      return endpoint;
    }

    @Override
    public void close() throws Exception {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  static Stream<Arguments> bindingsAndFunctions() {
    List<Arguments> all = new ArrayList<>();
    for (Binding binding : Binding.values()) {
      for (Function function : Function.values()) {
        all.add(Arguments.of(binding, function));
      }
    }
    return all.stream();
  }

  static Stream<Arguments> bindingsFunctionsAndSizes() {
    return bindingsAndFunctions()
        .flatMap(
            arguments -> Stream.of(1, LARGE).map(size -> Arguments.of(arguments.get()[0], arguments.get()[1], size)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("bindingsAndFunctions")
  void aGetWithoutBodyReachesTheFunctionWithoutOneAndItsAnswerReachesTheClient(Binding binding, Function where)
      throws Exception {
    try (RecordingFunction function = new RecordingFunction(where);
        ProxyServer proxy = h2cProxy(function.endpoint(), binding)) {

      ContentResponse response = send(client.newRequest(functionUri(proxy, "/some/path?x=1")));

      assertAnswer(response, "GET got 0 bytes");
      assertClientRequest(proxy, -1);
      Seen seen = function.seen.get();
      assertThat(seen.contentLength()).as("no Content-Length towards the function").isNull();
      assertThat(seen.transferEncoding()).as("no Transfer-Encoding towards the function").isNull();
      assertThat(seen.body().bytes()).as("the function saw no body").isZero();
      assertUpstreamRequest(seen, where, proxy);
    }
  }

  @ParameterizedTest(name = "{0} {1} {2} bytes")
  @MethodSource("bindingsFunctionsAndSizes")
  void aPostBodyOfUndeclaredLengthReachesTheFunctionWhole(Binding binding, Function where, int size)
      throws Exception {
    byte[] body = body(size);
    try (RecordingFunction function = new RecordingFunction(where);
        ProxyServer proxy = h2cProxy(function.endpoint(), binding)) {
      // a stream's length is unknown: HEADERS without content-length, then DATA frames as it is read
      InputStreamRequestContent content =
          new InputStreamRequestContent("application/octet-stream", new ByteArrayInputStream(body), 8 * 1024);

      ContentResponse response = send(post(proxy, "/upload").body(content));

      assertAnswer(response, "POST got " + size + " bytes");
      assertClientRequest(proxy, -1);
      Seen seen = function.seen.get();
      assertThat(seen.body()).as("the body the function got").isEqualTo(digest(body));
      if (where == Function.HTTP) {
        assertThat(seen.transferEncoding()).as("sent upstream chunked").isEqualTo("chunked");
        assertThat(seen.contentLength()).as("no Content-Length upstream").isNull();
      }
      assertUpstreamRequest(seen, where, proxy);
    }
  }

  /**
   * The request is forwarded before any DATA frame arrived: the binding cannot see the body yet,
   * and must still report that there is one, and deliver it whole, down to a body of one byte.
   */
  @ParameterizedTest(name = "{0} {1} {2} bytes")
  @MethodSource("bindingsFunctionsAndSizes")
  void aPostBodyWhoseFramesComeAfterTheRequestWasForwardedReachesTheFunctionWhole(
      Binding binding, Function where, int size) throws Exception {
    byte[] body = body(size);
    try (RecordingFunction function = new RecordingFunction(where);
        ProxyServer proxy = h2cProxy(function.endpoint(), binding)) {
      AsyncRequestContent content = new AsyncRequestContent("application/octet-stream");

      CompletableFuture<ContentResponse> answer = sendAsync(post(proxy, "/late").body(content));
      assertThat(Await.until(() -> proxy.calls() == 1)).as("the request reached the proxy").isTrue();
      writeInPieces(content, body);
      ContentResponse response = answer.get(30, TimeUnit.SECONDS);

      assertAnswer(response, "POST got " + size + " bytes");
      assertClientRequest(proxy, -1);
      assertThat(function.seen.get().body()).as("the body the function got").isEqualTo(digest(body));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("bindingsAndFunctions")
  void aPostBodyOfDeclaredLengthReachesTheFunctionWithItsLength(Binding binding, Function where) throws Exception {
    byte[] body = body(LARGE);
    try (RecordingFunction function = new RecordingFunction(where);
        ProxyServer proxy = h2cProxy(function.endpoint(), binding)) {

      ContentResponse response = send(post(proxy, "/upload").body(new BytesRequestContent(body)));

      assertAnswer(response, "POST got " + LARGE + " bytes");
      assertClientRequest(proxy, LARGE);
      Seen seen = function.seen.get();
      assertThat(seen.body()).as("the body the function got").isEqualTo(digest(body));
      assertThat(seen.contentLength()).as("the declared length").isEqualTo(Integer.toString(LARGE));
      assertThat(seen.transferEncoding()).as("no Transfer-Encoding towards the function").isNull();
    }
  }

  /** HTTP/2 ends an empty request on its HEADERS frame (END_STREAM), with no DATA frame. */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("bindingsAndFunctions")
  void anEmptyPostReachesTheFunctionWithoutABody(Binding binding, Function where) throws Exception {
    try (RecordingFunction function = new RecordingFunction(where);
        ProxyServer proxy = h2cProxy(function.endpoint(), binding)) {

      ContentResponse response = send(post(proxy, "/empty"));

      assertAnswer(response, "POST got 0 bytes");
      assertClientRequest(proxy, -1);
      Seen seen = function.seen.get();
      assertThat(seen.transferEncoding()).as("no Transfer-Encoding towards the function").isNull();
      assertThat(seen.contentLength()).as("no length, or zero").isIn(null, "0");
      assertThat(seen.body().bytes()).as("the function saw no body").isZero();
    }
  }

  /**
   * An HTTP/2 message must not carry connection-specific header fields: the function's hop-by-hop
   * headers (and those it names in Connection) stay on the HTTP/1.1 leg, and its chunked answer,
   * trailers and all, reaches the client as DATA frames.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void theFunctionsHopByHopHeadersAndTrailersStayOnItsOwnLeg(Binding binding) throws Exception {
    try (RawUpstream upstream =
            new RawUpstream(
                RawUpstream.answers(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Hop\r\n"
                        + "X-Hop: secret\r\nKeep-Alive: timeout=5\r\nTrailer: X-Sum\r\nX-Kept: kept\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n"));
        ProxyServer proxy = h2cProxy(Endpoint.Http.loopback(upstream.port()), binding)) {

      ContentResponse response = send(client.newRequest(functionUri(proxy, "/")));

      assertThat(response.getStatus()).as("status; body: %s", response.getContentAsString()).isEqualTo(200);
      assertThat(response.getVersion()).as("answered over HTTP/2").isEqualTo(HttpVersion.HTTP_2);
      assertThat(response.getContentAsString()).as("the chunked body, whole").isEqualTo("hello world");
      assertThat(response.getHeaders().get("X-Kept")).as("an end-to-end header").isEqualTo("kept");
      assertThat(response.getHeaders().getFieldNamesCollection())
          .as("no connection-specific header reaches the HTTP/2 client")
          .doesNotContainAnyElementsOf(
              List.of("connection", "Connection", "keep-alive", "Keep-Alive", "transfer-encoding",
                  "Transfer-Encoding", "x-hop", "X-Hop", "trailer", "Trailer"));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static ProxyServer h2cProxy(Endpoint endpoint, Binding binding) throws Exception {
    return new ProxyServer(ProxySettings.defaults(), endpoint, binding, Protocol.H2C);
  }

  /** The proxy addressed by a function's host name: the request's {@code :authority}. */
  private static URI functionUri(ProxyServer proxy, String pathAndQuery) {
    return URI.create("http://hello.func.local:" + proxy.port() + pathAndQuery);
  }

  private Request post(ProxyServer proxy, String path) {
    return client.newRequest(functionUri(proxy, path)).method(HttpMethod.POST);
  }

  private static ContentResponse send(Request request) throws Exception {
    return request.timeout(30, TimeUnit.SECONDS).send();
  }

  private static CompletableFuture<ContentResponse> sendAsync(Request request) {
    return new CompletableResponseListener(request.timeout(30, TimeUnit.SECONDS), 2 * LARGE).send();
  }

  /** Writes {@code body} in a few pieces of different sizes, then ends it. */
  private static void writeInPieces(AsyncRequestContent content, byte[] body) {
    int offset = 0;
    int piece = 1000;
    while (offset < body.length) {
      int n = Math.min(piece, body.length - offset);
      content.write(ByteBuffer.wrap(body, offset, n), Callback.NOOP);
      offset += n;
      piece *= 4;
    }
    content.close();
  }

  private static void assertAnswer(ContentResponse response, String body) {
    assertThat(response.getVersion()).as("answered over HTTP/2").isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.getStatus())
        .as("the function's status; body: %s", response.getContentAsString())
        .isEqualTo(201);
    assertThat(response.getHeaders().get("X-Answer")).as("the function's header").isEqualTo("yes");
    assertThat(response.getHeaders().getValuesList("Set-Cookie"))
        .as("every value of a repeated header")
        .containsExactly("a=1", "b=2");
    assertThat(response.getContentAsString()).as("the function's body").isEqualTo(body);
  }

  /** The request reached the proxy over HTTP/2, with {@code contentLength} as its declared length. */
  private static void assertClientRequest(ProxyServer proxy, long contentLength) {
    assertThat(proxy.requests)
        .as("what the binding presented to the proxy")
        .containsExactly(new ClientRequest("HTTP/2.0", contentLength));
  }

  /** Upstream the proxy speaks HTTP/1.1, with the client's {@code :authority} as the Host. */
  private static void assertUpstreamRequest(Seen seen, Function where, ProxyServer proxy) {
    if (where == Function.HTTP) {
      assertThat(seen.protocol()).as("the proxy speaks HTTP/1.1 upstream").isEqualTo("HTTP/1.1");
    }
    String authority = "hello.func.local:" + proxy.port();
    assertThat(seen.host()).as("the client's :authority is the Host").isEqualTo(authority);
    assertThat(seen.forwardedHost()).as("X-Forwarded-Host, as over HTTP/1.1").isEqualTo(authority);
  }

  private static byte[] body(int size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    Payload.write(out, size, Payload.BlockListener.NONE);
    return out.toByteArray();
  }

  private static Payload.Digest digest(byte[] body) throws IOException {
    InputStream in = new ByteArrayInputStream(body);
    return Payload.read(in, Payload.BlockListener.NONE);
  }
}
