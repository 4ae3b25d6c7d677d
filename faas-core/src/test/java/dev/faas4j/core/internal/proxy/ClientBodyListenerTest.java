package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request bodies in async mode are read without holding a container thread: a client that sends
 * half a body and pauses costs a connection, not a thread of the application's server.
 */
@ExtendWith(NoLeakedThreads.class)
class ClientBodyListenerTest {

  private static final int UPLOADS = 3;

  @ParameterizedTest(name = "async {0}")
  @ValueSource(booleans = {true, false})
  void aPausedUploadHoldsAContainerThreadOnlyInTheBlockingFallback(boolean async) throws Exception {
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
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), async)) {
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
            .isEqualTo(async ? 0 : UPLOADS);
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

  /** Threads of the proxy's server whose stack is inside a read of the request body. */
  private static long containerThreadsReadingABody() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("test-proxy"))
        .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().endsWith("ClientBodyInputStream")))
        .count();
  }
}
