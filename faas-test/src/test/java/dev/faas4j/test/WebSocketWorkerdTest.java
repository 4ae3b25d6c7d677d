package dev.faas4j.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.core.FaasHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WebSockets through faas4j to a real workerd function that echoes with {@code WebSocketPair},
 * through {@link FaasHandler} (Jetty's core API): messages both ways, a close from each side, and a
 * client that drops its TCP connection. After each, the tunnel must be gone: the function saw its
 * socket close, the invocation was counted with status 101, and no tunnel thread is left. Through
 * {@link FaasFilter} (Jetty's servlet container) an upgrade is refused with 501.
 */
class WebSocketWorkerdTest {

  /** Long enough that no other test's tunnel idles out between two of its steps. */
  private static final Duration TUNNEL_IDLE_TIMEOUT = Duration.ofSeconds(8);

  /** The meters of the current test's Faas: a new registry for each. */
  private static volatile MeterRegistry meters;

  @RegisterExtension
  static final FaasExtension WORKERD = FaasExtension.workerd()
      .configure(builder -> builder.mountPath("/fn").meterRegistry(meters = new SimpleMeterRegistry())
          .proxy(proxy -> proxy.tunnelIdleTimeout(TUNNEL_IDLE_TIMEOUT)));

  private static final String ECHO = """
      let closes = 0;
      export default {
        fetch(request) {
          if (new URL(request.url).pathname === "/closes") {
            return new Response(String(closes));
          }
          if (request.headers.get("Upgrade") !== "websocket") {
            return new Response("expected a websocket", { status: 426 });
          }
          const [client, server] = Object.values(new WebSocketPair());
          server.accept();
          server.addEventListener("message", event => {
            if (event.data === "close-me") {
              server.close(4001, "asked to");
            } else {
              server.send(event.data);
            }
          });
          server.addEventListener("close", event => {
            closes++;
            try { server.close(1000, "bye"); } catch (e) {}
          });
          server.addEventListener("error", () => { closes++; });
          return new Response(null, { status: 101, webSocket: client });
        }
      }
      """;

  private Server server;

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void textAndBinaryMessagesAreEchoedAndTheClientsCloseReachesTheFunction(Faas faas) throws Exception {
    int port = start("handler", faas);
    Listener listener = new Listener();
    WebSocket socket = connect(port, listener);

    socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
    assertThat(listener.messages.poll(10, TimeUnit.SECONDS)).as("the echo of a text message").isEqualTo("text:hello");
    socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 0xff}), true).get(5, TimeUnit.SECONDS);
    assertThat(listener.messages.poll(10, TimeUnit.SECONDS)).as("the echo of a binary message")
        .isEqualTo("binary:1,2,3,255");

    socket.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
    assertThat(listener.closed.get(10, TimeUnit.SECONDS)).as("the function answers the client's close")
        .startsWith("1000");
    awaitTunnelGone(port, 1);
  }

  @Test
  void aCloseFromTheFunctionReachesTheClientWithItsCode(Faas faas) throws Exception {
    int port = start("handler", faas);
    Listener listener = new Listener();
    WebSocket socket = connect(port, listener);

    socket.sendText("close-me", true).get(5, TimeUnit.SECONDS);

    assertThat(listener.closed.get(10, TimeUnit.SECONDS)).as("the client hears the function's close code")
        .isEqualTo("4001 asked to");
    awaitTunnelGone(port, 1);
  }

  @Test
  void aClientThatDropsItsConnectionClosesTheFunctionsSocket(Faas faas) throws Exception {
    int port = start("handler", faas);
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(10_000);
      OutputStream out = raw.getOutputStream();
      String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
      out.write(("GET /fn/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
          + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = raw.getInputStream();
      String head = readHead(in);
      assertThat(head).as("the handshake's answer").startsWith("HTTP/1.1 101")
          .containsIgnoringCase("sec-websocket-accept:").containsIgnoringCase("x-request-id:");
      out.write(maskedTextFrame("ping"));
      out.flush();
      byte[] echo = in.readNBytes(6);

      assertThat(new String(echo, 2, 4, StandardCharsets.US_ASCII)).as("the echo before the drop").isEqualTo("ping");
      raw.setSoLinger(true, 0); // a reset, not a goodbye
    }
    awaitTunnelGone(port, 1);
  }

  @Test
  void aTunnelWithNoTrafficForTheIdleTimeoutIsClosedAtBothEnds(Faas faas) throws Exception {
    int port = start("handler", faas);
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout((int) TUNNEL_IDLE_TIMEOUT.multipliedBy(3).toMillis());
      String key = Base64.getEncoder().encodeToString("fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
      raw.getOutputStream().write(("GET /fn/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = raw.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 101");
      assertThat(meters.get("faas4j.tunnels.open").gauge().value()).as("faas4j_tunnels_open while it is open")
          .isEqualTo(1.0);

      int next;
      try {
        next = in.read(); // nothing is sent either way: the gateway must end it
      } catch (java.net.SocketException reset) {
        next = -1;
      }
      assertThat(next).as("the client's connection after %s without traffic", TUNNEL_IDLE_TIMEOUT).isEqualTo(-1);
    }
    awaitTunnelGone(port, 1);
    assertThat(meters.get("faas4j.tunnels.open").gauge().value()).isZero();
  }

  @Test
  void aFunctionThatRefusesTheUpgradeIsAnsweredAsItIs(Faas faas) throws Exception {
    int port = start("handler", faas);
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(10_000);
      raw.getOutputStream().write(("GET /fn/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
          + "Upgrade: something-else\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = raw.getInputStream();
      String head = readHead(in);
      assertThat(head).as("the function's own refusal").startsWith("HTTP/1.1 426").containsIgnoringCase("content-length: 20");
      assertThat(new String(in.readNBytes(20), StandardCharsets.ISO_8859_1)).isEqualTo("expected a websocket");
    }
  }

  @Test
  void anUpgradeThroughTheServletFilterIsRefusedWith501(Faas faas) throws Exception {
    int port = start("filter", faas);
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(10_000);
      raw.getOutputStream().write(("GET /fn/echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
          + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String head = readHead(raw.getInputStream());
      assertThat(head).as("a clear refusal, not a 101 the filter cannot keep").startsWith("HTTP/1.1 501");
    }
    assertThat(closesSeen(port)).as("nothing reached the function's WebSocket").isZero();
  }

  // ---------------------------------------------------------------------------------------------

  private int start(String binding, Faas faas) throws Exception {
    faas.deploy(FunctionSpec.builder("echo").version("v1").code(ECHO).build(), null);
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    if (binding.equals("handler")) {
      server.setHandler(new FaasHandler(faas));
    } else {
      ServletContextHandler context = new ServletContextHandler();
      FilterHolder filter = new FilterHolder(new FaasFilter(faas));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      server.setHandler(context);
    }
    server.start();
    return connector.getLocalPort();
  }

  private static WebSocket connect(int port, Listener listener) throws Exception {
    return HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/fn/echo/"), listener).get(20, TimeUnit.SECONDS);
  }

  /** Waits until the function saw {@code closes} sockets close and faas4j counted as many 101s. */
  private static void awaitTunnelGone(int port, int closes) throws Exception {
    await(() -> closesSeen(port) >= closes, "the function's socket to close");
    await(() -> {
      Counter upgraded = meters.find("gateway.function.invocation").tag("code", "101").counter();
      return upgraded != null && upgraded.count() >= 1;
    }, "the tunnel to end and be counted with status 101 (its lease and permit given back)");
    await(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("faas4j-tunnel")), "every tunnel thread to end");
  }

  private static int closesSeen(int port) {
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(10_000);
      raw.getOutputStream().write("GET /fn/echo/closes HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(raw.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(answer.substring(answer.indexOf("\r\n\r\n") + 4).strip());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("waited 20 s for " + what).isTrue();
      Thread.sleep(20);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static byte[] maskedTextFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {7, 13, 21, 42};
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /** Collects what the JDK's client hears: messages as {@code kind:content}, and the close. */
  private static final class Listener implements WebSocket.Listener {
    final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add("text:" + text);
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      StringBuilder bytes = new StringBuilder();
      while (data.hasRemaining()) {
        bytes.append(bytes.length() == 0 ? "" : ",").append(data.get() & 0xff);
      }
      messages.add("binary:" + bytes);
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
