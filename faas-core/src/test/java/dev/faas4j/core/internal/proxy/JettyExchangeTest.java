package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The paths of {@link JettyExchange} that the shared suites do not reach: writes that wait for a
 * slow client (the bridge from Jetty's one-write-at-a-time callbacks to {@code isReady()} and
 * "write possible"), a client that goes away while a write waits, and request bodies in the shapes
 * Jetty's core content may take. Always through {@link Binding#JETTY_CORE}; what every binding
 * must do alike is tested by the shared suites.
 */
@ExtendWith(NoLeakedThreads.class)
class JettyExchangeTest {

  private static final long MIB = 1024 * 1024;
  /** Far more than the proxy's socket send buffer (at most 4 MiB here) and a small receive buffer. */
  private static final long LARGE = 16 * MIB;
  private static final int SMALL_RECEIVE_BUFFER = 16 * 1024;
  private static final String GET =
      "GET /f HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n";

  @Test
  void aClientThatReadsSlowlyMakesWritesWaitAndStillGetsTheWholeAnswer() throws Exception {
    Payload.Digest expected = Payload.write(OutputStream.nullOutputStream(), LARGE, Payload.BlockListener.NONE);
    AtomicInteger waitingWrites = new AtomicInteger();
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  response.setContentLengthLong(LARGE);
                  Payload.write(response.getOutputStream(), LARGE, Payload.BlockListener.NONE);
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), Binding.JETTY_CORE);
        Socket client = slowClient(proxy)) {
      proxy.wrap(UnaryOperator.identity(), response -> new WaitingWrites(response, waitingWrites));

      client.getOutputStream().write(GET.getBytes(StandardCharsets.ISO_8859_1));
      client.getOutputStream().flush();
      assertThat(Await.until(() -> waitingWrites.get() > 0))
          .as("while the client reads nothing, a write to it has to wait")
          .isTrue();
      InputStream in = client.getInputStream();
      String head = RawUpstream.readHead(in);
      Payload.Digest received = Payload.read(in, Payload.BlockListener.NONE);

      assertThat(head).as("status line").startsWith("HTTP/1.1 200 ");
      assertThat(received)
          .as("once the client reads, writing resumes after every wait: the whole answer arrives")
          .isEqualTo(expected);
      assertThat(proxy.awaitOutcomes(1).propagated).as("the exchange ended normally").isEmpty();
      assertThat(proxy.errors).as("no error answered").isEmpty();
    }
  }

  @Test
  void aClientThatGoesAwayWhileAWriteWaitsEndsTheExchangeAndClosesTheUpstreamConnection() throws Exception {
    CountDownLatch upstreamSawClose = new CountDownLatch(1);
    AtomicInteger waitingWrites = new AtomicInteger();
    try (RawUpstream upstream = new RawUpstream(RawUpstream.endlessChunkedAnswer(64 * 1024, upstreamSawClose));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), Binding.JETTY_CORE);
        Socket client = slowClient(proxy)) {
      proxy.wrap(UnaryOperator.identity(), response -> new WaitingWrites(response, waitingWrites));
      client.getOutputStream().write(GET.getBytes(StandardCharsets.ISO_8859_1));
      client.getOutputStream().flush();
      assertThat(Await.until(() -> waitingWrites.get() > 0)).as("a write to the client waits").isTrue();

      RawUpstream.reset(client);

      assertThat(Await.latch(upstreamSawClose))
          .as("the waiting write fails, and the upstream connection is closed")
          .isTrue();
      assertThat(proxy.awaitOutcomes(1).propagated)
          .as("the outcome is the client's failure, not an error answer or the function's fault")
          .singleElement()
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(ReverseProxy.ResponseAbortedException.class);
      assertThat(proxy.errors).as("no error answered").isEmpty();
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0))
          .as("the aborted connection is not leaked")
          .isTrue();
      assertThat(proxy.proxy.poolStats().available())
          .as("the aborted connection is not returned to the pool")
          .isZero();
    }
  }

  /** The shapes a request body may take in Jetty's core content, besides the one it is sent in. */
  enum BodyShape {
    /** As Jetty parses HTTP/1.1: data chunks, then an empty last chunk. */
    AS_PARSED,
    /** An empty chunk that is not the last before each data chunk (HTTP/2 allows empty frames). */
    EMPTY_CHUNKS_BETWEEN,
    /** The final bytes in the last chunk itself, as HTTP/2 delivers a last frame with data. */
    DATA_IN_LAST_CHUNK
  }

  /**
   * A chunked upload sent in parts, each one waited for upstream before the next is sent: the proxy
   * runs out of body to read between parts, so it asks Jetty to call back when more arrives.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(BodyShape.class)
  void aChunkedUploadSentInPartsArrivesWholeWhateverShapeItsChunksTake(BodyShape shape) throws Exception {
    int parts = 4;
    int partSize = 20_000;
    byte[] body = new byte[parts * partSize];
    new Random(7).nextBytes(body);
    AtomicLong upstreamReceived = new AtomicLong();
    AtomicReference<byte[]> upstreamBody = new AtomicReference<>();
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  upstreamBody.set(readChunked(in, upstreamReceived));
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  in.read();
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), Binding.JETTY_CORE);
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      proxy.wrap(request -> new ReshapedBody(request, shape), UnaryOperator.identity());
      client.setSoTimeout(60_000);
      OutputStream out = client.getOutputStream();
      RawUpstream.write(
          out,
          "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
      for (int i = 0; i < parts; i++) {
        RawUpstream.write(out, Integer.toHexString(partSize) + "\r\n");
        out.write(body, i * partSize, partSize);
        RawUpstream.write(out, i < parts - 1 ? "\r\n" : "\r\n0\r\n\r\n");
        // the reshaping may hold back the latest Jetty chunk until it sees the next one
        long arrived = (long) (i + 1) * partSize - (shape == BodyShape.DATA_IN_LAST_CHUNK ? partSize : 0);
        assertThat(Await.until(() -> upstreamReceived.get() >= arrived))
            .as("part %d arrived upstream before the next was sent", i)
            .isTrue();
      }

      RawClient.Response response = RawClient.read(client.getInputStream());

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(upstreamBody.get()).as("upstream received exactly the bytes sent").isEqualTo(body);
      assertThat(proxy.awaitOutcomes(1).propagated).as("the exchange ended normally").isEmpty();
    }
  }

  /**
   * HTTP/2 frames a body itself and may declare no length: the exchange looks at the first chunk to
   * tell whether there is a body at all. That chunk must not be lost, whichever way the body is
   * then read.
   */
  @ParameterizedTest(name = "in process {0}")
  @ValueSource(booleans = {false, true})
  void aBodyFramedWithoutALengthReachesTheFunctionWhole(boolean inProcess) throws Exception {
    String sent = "hello, world";
    AtomicReference<String> functionGot = new AtomicReference<>();
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  functionGot.set(new String(readChunked(in, new AtomicLong()), StandardCharsets.UTF_8));
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  in.read();
                });
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults(),
                inProcess
                    ? new Endpoint.InProcess(request -> {
                        functionGot.set(request.bodyAsString());
                        return FunctionResponse.ok("ok");
                      })
                    : Endpoint.Http.loopback(upstream.port()),
                Binding.JETTY_CORE)) {
      proxy.wrap(FramedLikeHttp2::new, UnaryOperator.identity());

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "POST /f HTTP/1.1\r\nHost: hello.func.local\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  + "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n",
              null);

      assertThat(response.status()).as("status").isEqualTo(200);
      assertThat(functionGot.get()).as("the function received the whole body").isEqualTo(sent);
    }
  }

  /** A client whose small receive buffer fills at once when it does not read. */
  private static Socket slowClient(ProxyServer proxy) throws IOException {
    Socket client = new Socket();
    client.setReceiveBufferSize(SMALL_RECEIVE_BUFFER);
    client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()));
    client.setSoTimeout(60_000);
    return client;
  }

  /** Reads a chunked body, counting its bytes as they arrive. */
  private static byte[] readChunked(InputStream in, AtomicLong received) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(RawClient.readLine(in).split(";")[0].trim(), 16);
      if (size == 0) {
        while (!RawClient.readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      for (int i = 0; i < size; i++) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed inside a chunk");
        }
        body.write(b);
        received.incrementAndGet();
      }
      RawClient.readLine(in);
    }
  }

  /** Counts the writes that had not completed when {@code write} returned: they waited for the client. */
  private static final class WaitingWrites extends Response.Wrapper {
    private final AtomicInteger waited;

    WaitingWrites(Response response, AtomicInteger waited) {
      super(response.getRequest(), response);
      this.waited = waited;
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
      Tracked tracked = new Tracked(callback);
      super.write(last, content, tracked);
      if (!tracked.completed) {
        waited.incrementAndGet();
      }
    }

    private static final class Tracked implements Callback {
      private final Callback callback;
      volatile boolean completed;

      Tracked(Callback callback) {
        this.callback = callback;
      }

      @Override
      public void succeeded() {
        completed = true;
        callback.succeeded();
      }

      @Override
      public void failed(Throwable failure) {
        completed = true;
        callback.failed(failure);
      }

      @Override
      public InvocationType getInvocationType() {
        return callback.getInvocationType();
      }
    }
  }

  /**
   * Presents an HTTP/1.1 request with a chunked body the way an HTTP/2 request reaches a handler:
   * protocol {@code HTTP/2.0}, and no Transfer-Encoding (nor a Content-Length) to say there is a
   * body.
   */
  private static final class FramedLikeHttp2 extends Request.Wrapper {
    private final HttpFields headers;

    FramedLikeHttp2(Request request) {
      super(request);
      this.headers =
          HttpFields.build(request.getHeaders())
              .remove(HttpHeader.TRANSFER_ENCODING)
              .remove(HttpHeader.CONTENT_LENGTH)
              .asImmutable();
    }

    @Override
    public HttpFields getHeaders() {
      return headers;
    }

    @Override
    public ConnectionMetaData getConnectionMetaData() {
      return new ConnectionMetaData.Wrapper(super.getConnectionMetaData()) {
        @Override
        public String getProtocol() {
          return HttpVersion.HTTP_2.asString();
        }

        @Override
        public HttpVersion getHttpVersion() {
          return HttpVersion.HTTP_2;
        }
      };
    }
  }

  /**
   * Hands the request body on in another {@link BodyShape}, with the same bytes: what an HTTP/2
   * connection or an application's own request wrapper may present to the handler.
   */
  private static final class ReshapedBody extends Request.Wrapper {
    private final BodyShape shape;
    /** A chunk read from Jetty and not handed on yet; one reader at a time. */
    private Content.Chunk held;
    private boolean emptyGiven;

    ReshapedBody(Request request, BodyShape shape) {
      super(request);
      this.shape = shape;
    }

    @Override
    public Content.Chunk read() {
      if (held == null) {
        held = super.read();
        if (held == null) {
          return null;
        }
      }
      switch (shape) {
        case EMPTY_CHUNKS_BETWEEN -> {
          if (held.hasRemaining() && !emptyGiven) {
            emptyGiven = true;
            return Content.Chunk.EMPTY;
          }
          emptyGiven = false;
          return take();
        }
        case DATA_IN_LAST_CHUNK -> {
          if (held.isLast() || Content.Chunk.isFailure(held)) {
            return take();
          }
          Content.Chunk next = super.read();
          if (next == null) {
            return null; // the caller demands; Jetty calls back when the next chunk is there
          }
          if (next.isLast() && !next.hasRemaining() && !Content.Chunk.isFailure(next)) {
            next.release();
            Content.Chunk data = take();
            return Content.Chunk.asChunk(data.getByteBuffer(), true, data);
          }
          Content.Chunk data = held;
          held = next;
          return data;
        }
        default -> {
          return take();
        }
      }
    }

    private Content.Chunk take() {
      Content.Chunk chunk = held;
      held = null;
      return chunk;
    }
  }
}
