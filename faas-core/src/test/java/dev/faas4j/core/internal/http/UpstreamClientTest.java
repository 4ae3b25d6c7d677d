package dev.faas4j.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link UpstreamClient} on its own, against raw upstreams: what a call does when its handler is
 * buggy or its body is never read. (Through the proxy, with every server binding, the keep-alive
 * cases are {@code ReverseProxyUpstreamTest}'s.)
 */
@ExtendWith(NoLeakedThreads.class)
class UpstreamClientTest {

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /** The pace a stalled client is held to by default: 1 KiB/s over 30 s. */
  private static final ClientPace PACE = new ClientPace(Duration.ofSeconds(30), 30 * 1024);

  /** Records what a call delivers; optionally throws where a buggy handler would. */
  private static final class Recorder implements UpstreamCall.Handler {
    final CountDownLatch over = new CountDownLatch(1);
    final StringBuilder body = new StringBuilder();
    final boolean throwOnHead;
    volatile UpstreamException failure;

    Recorder(boolean throwOnHead) {
      this.throwOnHead = throwOnHead;
    }

    @Override
    public void onHead(ResponseHead head) {
      if (throwOnHead) {
        throw new IllegalStateException("a handler bug");
      }
    }

    @Override
    public void onData(ByteBuffer piece) {
      body.append(StandardCharsets.US_ASCII.decode(piece));
    }

    @Override
    public void onEnd() {
      over.countDown();
    }

    @Override
    public void onFailure(UpstreamException cause) {
      failure = cause;
      over.countDown();
    }
  }

  @Test
  void aHandlerThatThrowsCostsItsOwnCallNotTheIoThread() throws Exception {
    byte[] head = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  while (true) {
                    RawUpstream.readHead(in);
                    RawUpstream.write(out, OK);
                  }
                });
        UpstreamClient client = new UpstreamClient("test-upstream", 1, 4, 4, Duration.ofSeconds(5), PACE)) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", upstream.port());
      Recorder buggy = new Recorder(true);
      client.start(client.newCall(address, head, false, false, false, true, Duration.ofSeconds(5), buggy));
      assertThat(buggy.over.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(buggy.failure).as("the call failed").hasMessageContaining("internal error");

      Recorder next = new Recorder(false);
      client.start(client.newCall(address, head, false, false, false, true, Duration.ofSeconds(5), next));

      assertThat(next.over.await(30, TimeUnit.SECONDS)).as("the I/O thread still serves").isTrue();
      assertThat(next.failure).isNull();
      assertThat(next.body.toString()).isEqualTo("ok");
    }
  }

  @Test
  void aBodyTheFunctionNeverReadsFailsTheCallAfterTheTimeoutEvenWhileItsAnswerWaits() throws Exception {
    byte[] head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    CountDownLatch done = new CountDownLatch(1);
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  // answers at once, more than the window the handler below never reopens, so the
                  // call's reading pauses (and its silence timer with it)...
                  RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
                  out.write(new byte[128 * 1024]);
                  out.flush();
                  done.await(30, TimeUnit.SECONDS); // ...and reads none of the body
                });
        UpstreamClient client = new UpstreamClient("test-upstream", 1, 4, 4, Duration.ofSeconds(5), PACE)) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", upstream.port());
      Recorder recorder = new Recorder(false);
      UpstreamCall call = client.newCall(address, head, false, true, true, false, Duration.ofMillis(300), recorder);
      client.start(call);
      byte[] piece = new byte[1024 * 1024];
      long offered = 0;
      long bound = 64L * 1024 * 1024; // far beyond what socket buffers absorb
      while (offered < bound && call.offer(piece, 0, piece.length)) {
        offered += piece.length;
      }
      done.countDown();

      assertThat(offered).as("the writer stopped once the function took nothing for the timeout").isLessThan(bound);
      assertThat(recorder.over.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(recorder.failure).isNotNull();
      assertThat(recorder.failure.kind()).as(recorder.failure.toString()).isEqualTo(UpstreamException.Kind.RESPONSE_TIMEOUT);
    }
  }
}
