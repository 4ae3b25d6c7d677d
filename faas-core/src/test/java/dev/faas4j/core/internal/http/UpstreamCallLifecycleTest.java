package dev.faas4j.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How an {@link UpstreamCall} ends, on {@link UpstreamClient} directly: every call ends exactly
 * once, reports at most one outcome, and gives its connection back (or closes it) whichever thread
 * ends it and whenever.
 */
@ExtendWith(NoLeakedThreads.class)
class UpstreamCallLifecycleTest {

  private static final byte[] GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] POST =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /** The pace a stalled client is held to by default: 1 KiB/s over 30 s. */
  private static final ClientPace PACE = new ClientPace(Duration.ofSeconds(30), 30 * 1024);

  /** Records the outcome of a call: every callback, in order. */
  static final class Recorder implements UpstreamCall.Handler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CountDownLatch over = new CountDownLatch(1);
    /** Released by the test; onEnd waits for it. */
    final CountDownLatch endMayReturn;

    Recorder() {
      this(new CountDownLatch(0));
    }

    Recorder(CountDownLatch endMayReturn) {
      this.endMayReturn = endMayReturn;
    }

    @Override
    public void onHead(ResponseHead head) {
      events.add("head " + head.status());
    }

    @Override
    public void onData(ByteBuffer piece) {
      events.add("data " + piece.remaining());
      piece.position(piece.limit());
    }

    @Override
    public void onEnd() throws IOException {
      events.add("end");
      over.countDown();
      try {
        endMayReturn.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    public void onFailure(UpstreamException cause) {
      events.add("failure " + cause);
      over.countDown();
    }
  }

  private static RawUpstream.ConnectionHandler answersOkForever() {
    return (socket, in, out) -> {
      while (true) {
        RawUpstream.readHead(in);
        RawUpstream.write(out, OK);
      }
    };
  }

  private static InetSocketAddress address(RawUpstream upstream) {
    return new InetSocketAddress("127.0.0.1", upstream.port());
  }

  @Test
  void aCallAbortedBeforeItStartsTakesNoConnection() throws Exception {
    try (RawUpstream upstream = new RawUpstream(answersOkForever());
        UpstreamClient client = new UpstreamClient("test-upstream", 1, 4, 4, Duration.ofSeconds(5), PACE)) {
      Recorder abandoned = new Recorder();
      UpstreamCall call =
          client.newCall(address(upstream), GET, false, false, false, true, Duration.ofMillis(200), abandoned);
      call.abort(); // the client went away before the request could be sent

      client.start(call);
      Recorder next = new Recorder();
      client.start(client.newCall(address(upstream), GET, false, false, false, true, Duration.ofSeconds(5), next));

      assertThat(Await.latch(next.over)).isTrue();
      assertThat(next.events).containsExactly("head 200", "data 2", "end");
      assertThat(Await.until(() -> client.stats().leased() == 0))
          .as("no connection stays leased to the aborted call: %s", client.stats())
          .isTrue();
      assertThat(abandoned.events).as("an aborted call reports nothing").isEmpty();
    }
  }

  @Test
  void aRequestWriteFailingAfterTheAnswerEndedIsNotReportedAsAFailure() throws Exception {
    CountDownLatch answered = new CountDownLatch(1);
    try (RawUpstream upstream =
            new RawUpstream(
                (socket, in, out) -> {
                  RawUpstream.readHead(in);
                  // answers early, without reading the body, and drops the connection hard
                  RawUpstream.write(out, OK);
                  RawUpstream.reset(socket);
                  answered.countDown();
                });
        UpstreamClient client = new UpstreamClient("test-upstream", 1, 4, 4, Duration.ofSeconds(5), PACE)) {
      CountDownLatch endMayReturn = new CountDownLatch(1);
      Recorder recorder = new Recorder(endMayReturn);
      UpstreamCall call =
          client.newCall(address(upstream), POST, false, true, false, false, Duration.ofSeconds(5), recorder);
      client.start(call);
      assertThat(Await.latch(recorder.over)).as("the answer ended").isTrue();
      assertThat(Await.latch(answered)).isTrue();

      // the I/O thread is inside onEnd; the body's writer meets the reset connection meanwhile
      byte[] piece = new byte[1024];
      boolean taken = true;
      for (int i = 0; i < 100 && taken; i++) {
        taken = call.offer(piece, 0, piece.length);
      }
      endMayReturn.countDown();

      assertThat(taken).as("the body's writer learned that the call is over").isFalse();
      assertThat(Await.until(() -> client.stats().leased() == 0)).as("%s", client.stats()).isTrue();
      assertThat(recorder.events)
          .as("onFailure never follows onEnd")
          .containsExactly("head 200", "data 2", "end");
    }
  }

  @Test
  void closingTheClientWhileCallsAreBeingStartedEndsEveryCall() throws Exception {
    // a listener that never accepts: connections complete in its backlog and never answer
    try (ServerSocket silent = new ServerSocket(0, 500, InetAddress.getLoopbackAddress())) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", silent.getLocalPort());
      for (int round = 0; round < 40; round++) {
        List<Recorder> recorders = new CopyOnWriteArrayList<>();
        UpstreamClient client = new UpstreamClient("test-upstream", 2, 1000, 1000, Duration.ofSeconds(30), PACE);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch someStarted = new CountDownLatch(3);
        Thread starter =
            new Thread(
                () -> {
                  while (!stop.get() && recorders.size() < 200) {
                    Recorder recorder = new Recorder();
                    recorders.add(recorder);
                    client.start(
                        client.newCall(address, GET, false, false, false, true, Duration.ofSeconds(30), recorder));
                    someStarted.countDown();
                  }
                },
                "test-starter");
        starter.start();
        assertThat(Await.latch(someStarted)).isTrue();

        client.close();
        stop.set(true);
        starter.join();

        Await.until(() -> recorders.stream().allMatch(r -> r.over.getCount() == 0));
        List<Integer> unfinished = new ArrayList<>();
        for (int i = 0; i < recorders.size(); i++) {
          if (recorders.get(i).over.getCount() > 0) {
            unfinished.add(i);
          }
        }
        assertThat(unfinished)
            .as("round %d: calls of %d that never ended after close", round, recorders.size())
            .isEmpty();
        for (Recorder recorder : recorders) {
          assertThat(recorder.events).hasSize(1).allMatch(e -> e.contains("the proxy is closed"));
        }
      }
    }
  }
}
