package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Slow and numerous clients against the real gateway jar with workerd: the callers of one function
 * cannot take the connections of the others, a client that stalls is cut, the gateway holds at most
 * its connection cap, and a request head sent a byte at a time is cut at the header deadline.
 */
class SlowClientsIT extends GatewayTestSupport {

  /** A function that reads its whole body before it answers. */
  private static final String READS_BODY =
      "addEventListener(\"fetch\", e => e.respondWith(e.request.text().then(t => new Response(\"got \" + t.length))))";

  @Test
  void withDefaultSettingsSlowUploadsToOneFunctionLeaveAnotherAnswering() throws Exception {
    GatewayProcess gateway = start();
    deployReader(gateway, "upload");
    assertThat(gateway.deployText("other", "v1", "other ok").statusCode()).isEqualTo(200);
    assertThat(gateway.get("other.func.local").body()).isEqualTo("other ok");

    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 1030; i++) { // more than the whole upstream pool (1024)
        slow.add(startUpload(gateway.port(), "upload.func.local", 100_000, 1));
      }
      assertThat(GatewayProcess.eventually(Duration.ofSeconds(30), () -> status(gateway, "upload.func.local") == 503))
          .as("the function with the slow callers is busy")
          .isTrue();

      HttpResponse<String> other = gateway.get("other.func.local");

      assertThat(other.statusCode()).as("another function answers: " + other.body()).isEqualTo(200);
      assertThat(other.body()).isEqualTo("other ok");
      HttpResponse<String> busy = gateway.get("upload.func.local");
      assertThat(busy.body()).as("a busy answer names no internal address").doesNotContain("127.0.0.1");
    } finally {
      closeAll(slow);
    }
  }

  @Test
  void aClientThatStallsMidUploadGets408() throws Exception {
    GatewayProcess gateway = start("--client-stall-timeout", "1s");
    deployReader(gateway, "upload");

    try (Socket client = startUpload(gateway.port(), "upload.func.local", 100_000, 10)) {
      String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertThat(answer).as("the stalled upload is answered").startsWith("HTTP/1.1 408 ").contains("too slowly");
    }
  }

  @Test
  void theGatewayAcceptsNoMoreThanItsConnectionCapAndServesAgainOnceSomeClose() throws Exception {
    GatewayProcess gateway = start("--max-client-connections", "50");
    assertThat(gateway.deployText("other", "v1", "other ok").statusCode()).isEqualTo(200);
    assertThat(gateway.get("other.func.local").body()).isEqualTo("other ok");

    List<Socket> idle = new ArrayList<>();
    try (Socket excess = new Socket()) {
      for (int i = 0; i < 50; i++) {
        idle.add(new Socket(InetAddress.getLoopbackAddress(), gateway.port()));
      }
      excess.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()));
      excess.setSoTimeout(2_000);
      write(excess.getOutputStream(), "GET / HTTP/1.1\r\nHost: other.func.local\r\nConnection: close\r\n\r\n");

      boolean answeredOverTheCap;
      try {
        answeredOverTheCap = excess.getInputStream().read() >= 0;
      } catch (SocketTimeoutException e) {
        answeredOverTheCap = false;
      }
      assertThat(answeredOverTheCap).as("a connection over the cap is not served while the cap is reached").isFalse();

      closeAll(idle);
      excess.setSoTimeout(30_000);
      String answer = new String(excess.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).as("served once connections closed").startsWith("HTTP/1.1 200 ").endsWith("other ok");
      assertThat(gateway.get("other.func.local").statusCode()).as("the gateway keeps serving").isEqualTo(200);
    } finally {
      closeAll(idle);
    }
  }

  @Test
  void aRequestHeadSentAByteAtATimeIsCutAtTheHeaderTimeout() throws Exception {
    GatewayProcess gateway = start("--header-timeout", "1s");

    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      client.setSoTimeout(200);
      OutputStream out = client.getOutputStream();
      InputStream in = client.getInputStream();
      write(out, "GET / HTTP/1.1\r\nHost: other.func.local\r\nX-Slow: ");
      long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      boolean closed = false;
      while (!closed && System.nanoTime() < giveUp) {
        try {
          out.write('a'); // each byte would restart an idle timeout
          out.flush();
          closed = in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
          // nothing from the gateway yet: send the next byte
        } catch (IOException reset) {
          closed = true;
        }
      }

      assertThat(closed).as("the gateway closes a connection whose head never ends").isTrue();
    }
    assertThat(gateway.get("nothing.func.local").statusCode()).as("the gateway keeps serving").isEqualTo(404);
  }

  private static void deployReader(GatewayProcess gateway, String name) throws Exception {
    HttpResponse<String> deploy = gateway.admin("POST", "/deploy/" + name,
        GatewayProcess.JSON.writeValueAsString(Map.of("version", "v1", "code", READS_BODY)));
    assertThat(deploy.statusCode()).as("deploy: " + deploy.body()).isEqualTo(200);
  }

  private static int status(GatewayProcess gateway, String host) {
    try {
      return gateway.get(host).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Opens a connection that declares a body of {@code declared} bytes and sends {@code sent} of them. */
  private static Socket startUpload(int port, String host, int declared, int sent) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(60_000);
    write(socket.getOutputStream(), "POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + declared + "\r\n\r\n");
    socket.getOutputStream().write(new byte[sent]);
    socket.getOutputStream().flush();
    return socket;
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void closeAll(List<Socket> sockets) throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
