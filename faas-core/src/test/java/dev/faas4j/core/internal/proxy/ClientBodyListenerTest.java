package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.content.ContentSourceInputStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Request bodies in async mode (a servlet's non-blocking reads, or Jetty's core API) are read
 * without holding a server thread: a client that sends half a body and pauses costs a connection,
 * not a thread of the application's server. Only the blocking fallback parks one per upload.
 */
@ExtendWith(NoLeakedThreads.class)
class ClientBodyListenerTest {

  private static final int UPLOADS = 3;

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aPausedUploadHoldsAContainerThreadOnlyInTheBlockingFallback(Binding binding) throws Exception {
    AtomicInteger bodiesStarted = new AtomicInteger();
    AtomicInteger upstreamClosed = new AtomicInteger();
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  in.readNBytes(5); // the first part of the body has arrived upstream
                  bodiesStarted.incrementAndGet();
                  try {
                    while (in.read() >= 0) {
                      // wait for the rest, which never comes
                    }
                  } finally {
                    upstreamClosed.incrementAndGet();
                  }
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), Endpoint.Http.loopback(upstream.port()), binding)) {
      List<Socket> clients = new ArrayList<>();
      try {
        for (int i = 0; i < UPLOADS; i++) {
          Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
          clients.add(client);
          OutputStream out = client.getOutputStream();
          out.write(("POST /f HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 100000\r\n\r\nfirst")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        assertThat(Await.until(() -> bodiesStarted.get() == UPLOADS)).as("every upload under way").isTrue();

        assertThat(containerThreadsReadingABody())
            .as("container threads parked in a body read while the clients pause")
            .isEqualTo(binding == Binding.SERVLET_BLOCKING ? UPLOADS : 0);
      } finally {
        for (Socket client : clients) {
          client.close();
        }
      }
      assertThat(Await.until(() -> upstreamClosed.get() == UPLOADS))
          .as("each upstream connection is closed once its client is gone")
          .isTrue();
      assertThat(containerThreadsReadingABody()).as("no thread left reading").isZero();
    }
  }

  /**
   * Threads of the proxy's server whose stack is inside a blocking read of the request body: the
   * servlet fallback's stream, or the stream over Jetty's core content that {@link
   * JettyExchange#body()} returns.
   */
  private static long containerThreadsReadingABody() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("test-proxy"))
        .filter(e -> Arrays.stream(e.getValue()).anyMatch(ClientBodyListenerTest::isBlockingBodyRead))
        .count();
  }

  private static boolean isBlockingBodyRead(StackTraceElement frame) {
    return frame.getClassName().equals(ClientBodyInputStream.class.getName())
        || frame.getClassName().equals(ContentSourceInputStream.class.getName());
  }
}
