package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.http.UpstreamClient;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many concurrent requests through the proxy in a real Jetty, against an upstream that answers
 * each one a randomly chosen way (normally, slowly, chunked, with a large body, with a reset, by
 * closing mid-body, or not at all), from clients that randomly go away mid-request or mid-answer.
 * Whatever happens, every exchange must report an outcome, no answer may carry another request's
 * bytes, and afterwards no connection may stay leased and no thread may outlive the test.
 *
 * <p>The seed is fixed and printed; {@code -Dstress.seed=N} replays another one.
 */
@ExtendWith(NoLeakedThreads.class)
class ReverseProxyStressTest {

  private static final long SEED = Long.getLong("stress.seed", 0x5EED_F4A5L);
  private static final int CLIENTS = 8;
  /** The response timeout of a STALL answer: the one kind that must run into it. */
  private static final Duration STALL_TIMEOUT = Duration.ofMillis(400);
  /**
   * The response timeout of every other answer: far beyond what it takes even on a starved
   * machine, and below the client's own 30 s, so a proxy that loses an answer still shows as 504.
   * (With one short timeout for all, a loaded machine made NORMAL answers 504: 1 run in 10.)
   */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);

  /** How the upstream answers; chosen by the client, named in the request path. */
  enum Answer {
    NORMAL, SLOW, CHUNKED, LARGE, RESET, CLOSE_MID_BODY, STALL;

    boolean completes() {
      return this == NORMAL || this == SLOW || this == CHUNKED || this == LARGE;
    }
  }

  /** What the client does. */
  enum Client {
    WAITS, LEAVES_MID_REQUEST, LEAVES_MID_ANSWER
  }

  /**
   * How many requests each binding gets: 400 in all, as many as when there were two bindings, so
   * the run takes about as long. The blocking fallback gets the fewest: a stalled upstream holds
   * one of its threads for the whole response timeout.
   */
  private static int requests(Binding binding) {
    return switch (binding) {
      case SERVLET_ASYNC, JETTY_CORE -> 150;
      case SERVLET_BLOCKING -> 100;
    };
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void everyExchangeEndsAndLeavesNothingBehind(Binding binding) throws Exception {
    long seed = SEED + binding.ordinal();
    int requests = requests(binding);
    System.out.printf("ReverseProxyStressTest: %s, seed %d (-Dstress.seed=%d)%n", binding, seed, SEED);
    List<String> anomalies = new CopyOnWriteArrayList<>();
    ConcurrentMap<String, AtomicInteger> tally = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try (RawUpstream upstream = new RawUpstream(ReverseProxyStressTest::serve);
        ProxyServer proxy =
            new ProxyServer(
                ProxySettings.defaults()
                    .withMaxConnections(6)
                    .withConnectTimeout(Duration.ofSeconds(1))
                    .withResponseTimeout(ANSWER_TIMEOUT),
                Endpoint.Http.loopback(upstream.port()),
                binding)) {
      proxy.timeouts(pathAndQuery -> pathAndQuery.startsWith("/s/" + Answer.STALL + "/") ? STALL_TIMEOUT : null);
      Random random = new Random(seed);
      List<Future<?>> running = new ArrayList<>();
      for (int id = 0; id < requests; id++) {
        Answer answer = Answer.values()[random.nextInt(Answer.values().length)];
        int roll = random.nextInt(10);
        Client client = roll < 7 ? Client.WAITS : roll < 8 ? Client.LEAVES_MID_REQUEST : Client.LEAVES_MID_ANSWER;
        int bodySize = random.nextInt(3) == 0 ? 0 : random.nextInt(150_000);
        boolean chunkedBody = random.nextBoolean();
        boolean reset = random.nextBoolean();
        int request = id;
        running.add(
            clients.submit(
                () -> {
                  String outcome = exchange(proxy.port(), request, answer, client, bodySize, chunkedBody, reset);
                  tally.computeIfAbsent(answer + "/" + client + " -> " + outcome, k -> new AtomicInteger())
                      .incrementAndGet();
                  if (outcome.startsWith("WRONG")) {
                    anomalies.add(request + " " + answer + "/" + client + ": " + outcome);
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }

      boolean allReported = Await.until(() -> proxy.outcomes() >= proxy.calls());
      tally.entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> System.out.printf("  %4d  %s%n", e.getValue().get(), e.getKey()));
      assertThat(anomalies).as("answers that were wrong (seed %d)", seed).isEmpty();
      assertThat(allReported)
          .as("every forwarded exchange reports an outcome (seed %d): %d of %d", seed, proxy.outcomes(), proxy.calls())
          .isTrue();
      assertThat(Await.until(() -> {
            UpstreamClient.Stats stats = proxy.proxy.poolStats();
            return stats.leased() == 0 && stats.pending() == 0;
          }))
          .as("no connection stays leased, no call waits (seed %d): %s", seed, proxy.proxy.poolStats())
          .isTrue();
      proxy.proxy.closeIdleConnections(Duration.ZERO);
      assertThat(proxy.proxy.poolStats())
          .as("open equals available: closing the idle ones leaves none (seed %d)", seed)
          .isEqualTo(new UpstreamClient.Stats(0, 0, 0));
    } finally {
      clients.shutdownNow();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).as("client threads ended").isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the client

  /** One request on its own connection; returns what happened, "WRONG ..." when it must not. */
  private static String exchange(
      int port, int id, Answer answer, Client client, int bodySize, boolean chunkedBody, boolean reset) {
    boolean post = bodySize > 0;
    StringBuilder head = new StringBuilder();
    head.append(post ? "POST" : "GET").append(" /s/").append(answer).append('/').append(id).append(" HTTP/1.1\r\n");
    head.append("Host: hello.func.local\r\nConnection: close\r\n");
    if (post) {
      head.append(chunkedBody ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + bodySize + "\r\n");
    }
    head.append("\r\n");
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      byte[] body = new byte[bodySize];
      Arrays.fill(body, (byte) ('a' + id % 26));
      int send = client == Client.LEAVES_MID_REQUEST && post ? bodySize / 2 : bodySize;
      if (post) {
        if (chunkedBody) {
          out.write((Integer.toHexString(Math.max(send, 1)) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(body, 0, Math.max(send, 1));
          if (send == bodySize) {
            out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        } else {
          out.write(body, 0, send);
        }
      }
      out.flush();
      if (client == Client.LEAVES_MID_REQUEST && post) {
        leave(socket, reset);
        return "left mid-request";
      }
      InputStream in = socket.getInputStream();
      if (client == Client.LEAVES_MID_ANSWER) {
        in.readNBytes(20);
        leave(socket, reset);
        return "left mid-answer";
      }
      RawClient.Response response = RawClient.read(in);
      return judge(id, answer, bodySize, response);
    } catch (IOException e) {
      // the proxy aborted the client's connection, or refused the rest of the body: both allowed
      return answer.completes() && client == Client.WAITS && !post ? "WRONG: " + e : "aborted";
    }
  }

  private static void leave(Socket socket, boolean reset) throws IOException {
    if (reset) {
      RawUpstream.reset(socket);
    } else {
      socket.close();
    }
  }

  private static String judge(int id, Answer answer, int bodySize, RawClient.Response response) {
    int status = response.status();
    if (status == 503) {
      return "503"; // every connection stayed busy for the pool timeout
    }
    if (answer == Answer.CLOSE_MID_BODY && status == 200) {
      // the answer had started: the client's connection is cut short, never completed
      return response.body().length < 1000 ? "cut short" : "WRONG: a broken body looked complete";
    }
    if (!answer.completes()) {
      return status == 502 || status == 504 ? Integer.toString(status) : "WRONG status " + status;
    }
    if (status != 200) {
      return "WRONG status " + status;
    }
    String expected = "id:" + id + ";received:" + bodySize + ";";
    String text = new String(response.body(), 0, Math.min(response.body().length, 64), StandardCharsets.US_ASCII);
    if (!text.startsWith(expected)) {
      return "WRONG body '" + text + "', expected '" + expected + "'";
    }
    int expectedLength = answer == Answer.LARGE ? LARGE_BODY : expected.length();
    if (response.body().length != expectedLength) {
      return "WRONG length " + response.body().length;
    }
    return "200";
  }

  // ---------------------------------------------------------------------------------------------
  // the upstream: keep-alive, one request after the other on each connection

  private static final int LARGE_BODY = 300_000;

  private static void serve(Socket socket, InputStream in, OutputStream out) throws Exception {
    while (true) {
      String head;
      try {
        head = RawUpstream.readHead(in);
      } catch (IOException e) {
        return; // the proxy closed the connection
      }
      String[] target = head.substring(0, head.indexOf(' ', head.indexOf(' ') + 1)).split("/");
      Answer answer = Answer.valueOf(target[2]);
      String id = target[3];
      long received = readBody(head, in);
      byte[] prefix = ("id:" + id + ";received:" + received + ";").getBytes(StandardCharsets.US_ASCII);
      switch (answer) {
        case NORMAL -> {
          RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + prefix.length + "\r\n\r\n");
          out.write(prefix);
          out.flush();
        }
        case SLOW -> {
          RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + prefix.length + "\r\n\r\n");
          Thread.sleep(30);
          out.write(prefix, 0, 3);
          out.flush();
          Thread.sleep(30);
          out.write(prefix, 3, prefix.length - 3);
          out.flush();
        }
        case CHUNKED -> {
          RawUpstream.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
          for (int i = 0; i < prefix.length; i += 4) {
            int n = Math.min(4, prefix.length - i);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(prefix, i, n);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          RawUpstream.write(out, "0\r\n\r\n");
        }
        case LARGE -> {
          RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + LARGE_BODY + "\r\n\r\n");
          byte[] body = new byte[LARGE_BODY];
          Arrays.fill(body, (byte) 'x');
          System.arraycopy(prefix, 0, body, 0, prefix.length);
          out.write(body);
          out.flush();
        }
        case RESET -> {
          RawUpstream.reset(socket);
          return;
        }
        case CLOSE_MID_BODY -> {
          RawUpstream.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
          out.write(prefix);
          out.flush();
          return;
        }
        case STALL -> {
          while (in.read() >= 0) {
            // silent until the proxy gives up and closes the connection
          }
          return;
        }
      }
    }
  }

  /** Reads the request body the head announces; returns how many bytes it had. */
  private static long readBody(String head, InputStream in) throws IOException {
    String lower = head.toLowerCase(Locale.ROOT);
    int at = lower.indexOf("\r\ncontent-length:");
    if (at >= 0) {
      int end = lower.indexOf("\r\n", at + 2);
      long length = Long.parseLong(lower.substring(at + 17, end).trim());
      byte[] body = in.readNBytes((int) length);
      if (body.length < length) {
        throw new IOException("body cut short");
      }
      return length;
    }
    if (!lower.contains("\r\ntransfer-encoding: chunked")) {
      return 0;
    }
    return RawClient.readChunked(in).length;
  }
}
