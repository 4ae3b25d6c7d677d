package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An answer sent before the request's body was read to its end (401, 405, 404, 413, 400) must not
 * lose a keep-alive client's next request. The client here does what the JDK client did when it
 * met the bug: it sends a request's head with a declared body, gets the early answer, then sends
 * the body and its next request on the same connection. The answer must either say {@code
 * Connection: close} (and the server close), or the server must go on to answer the next request.
 * Before the fix, the server closed without saying so, and the next request met a closed connection.
 *
 * <p>The body is held back until the answer came, so the server cannot have read it by chance:
 * every run takes the path that failed one CI run in a few.
 */
class EarlyAnswerTest {

  private static final String TOKEN = "s3cret";

  private JettyHarness servlets;
  private Server handlerServer;

  @BeforeEach
  void start() throws Exception {
    servlets = new JettyHarness(faas(), AdminAuthenticator.bearerToken(TOKEN));
    handlerServer = new Server();
    ServerConnector connector = new ServerConnector(handlerServer);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    handlerServer.addConnector(connector);
    FaasHandler functions = new FaasHandler(faas());
    functions.setHandler(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.write(true, StandardCharsets.UTF_8.encode("app"), callback);
        return true;
      }
    });
    handlerServer.setHandler(functions);
    handlerServer.start();
  }

  /** A Faas whose function {@code hello} answers without reading anything; function bodies over 16 bytes are refused. */
  private static Faas faas() throws Exception {
    Faas faas = Faas.builder()
        .provider(new InMemoryProvider(spec -> request -> FunctionResponse.ok("hi"), "js"))
        .store(new InMemoryStore())
        .maintenanceInterval(Duration.ZERO)
        .proxy(proxy -> proxy.maxRequestBodyBytes(16))
        .build();
    faas.deploy(FunctionSpec.builder("hello").runtime("js").version("v1").code("x").build(), null);
    return faas;
  }

  @AfterEach
  void stop() throws Exception {
    servlets.close();
    handlerServer.stop();
  }

  @ParameterizedTest(name = "FaasAdminServlet: {0} {1} ({2}) answers {4}")
  @CsvSource({
      "POST, /api/deploy/hello, application/json, , 401",
      "GET, /api/deploy/hello, application/json, Bearer s3cret, 405",
      "POST, /api/nothing/here, application/json, Bearer s3cret, 404",
      "POST, /api/deploy/hello, text/plain, Bearer s3cret, 400",
  })
  void anAdminAnswerBeforeTheBodyWasReadLosesNoNextRequest(String method, String path, String type, String auth,
      int status) throws Exception {
    String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type + "\r\n"
        + (auth == null ? "" : "Authorization: " + auth + "\r\n");
    assertNextRequestServed(servlets.port(), head, 12, status, "/app/next", "app:/app/next");
  }

  @ParameterizedTest(name = "{0}: a function request answered {1} early")
  @CsvSource({
      "FaasFilter, 404, v9.hello.func.local",
      "FaasFilter, 413, hello.func.local",
      "FaasHandler, 404, v9.hello.func.local",
      "FaasHandler, 413, hello.func.local",
  })
  void aFunctionAnswerBeforeTheBodyWasReadLosesNoNextRequest(String binding, int status, String host)
      throws Exception {
    boolean filter = binding.equals("FaasFilter");
    int port = filter ? servlets.port() : ((ServerConnector) handlerServer.getConnectors()[0]).getLocalPort();
    String head = "POST / HTTP/1.1\r\nHost: " + host + "\r\n";
    int declared = status == 413 ? 1000 : 12;
    assertNextRequestServed(port, head, declared, status, filter ? "/app/next" : "/next", filter ? "app:/app/next" : "app");
  }

  @ParameterizedTest(name = "{0}: an in-process function that took the whole body keeps the connection")
  @CsvSource({"FaasFilter", "FaasHandler"})
  void anAnswerAfterTheWholeBodyWasReadKeepsTheConnection(String binding) throws Exception {
    boolean filter = binding.equals("FaasFilter");
    int port = filter ? servlets.port() : ((ServerConnector) handlerServer.getConnectors()[0]).getLocalPort();
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST / HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 5\r\n\r\nhello")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Answer first = Answer.read(socket.getInputStream());
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("connection")).as("Connection of an answer after the whole body was read").isNull();

      out.write("GET / HTTP/1.1\r\nHost: hello.func.local\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(Answer.read(socket.getInputStream()).body()).as("the next request on the same connection")
          .isEqualTo("hi");
    }
  }

  /**
   * Sends {@code head} declaring {@code declared} body bytes but no body, reads the answer (which
   * must be {@code status}), then sends the body and {@code GET nextPath} on the same connection.
   */
  private static void assertNextRequestServed(int port, String head, int declared, int status, String nextPath,
      String nextBody) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write((head + "Content-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      Answer early = Answer.read(in);
      assertThat(early.status()).as("the early answer").isEqualTo(status);
      if ("close".equals(early.header("connection"))) {
        socket.setSoTimeout(5_000);
        try {
          assertThat(in.read()).as("after an answer that said Connection: close, the server closes").isEqualTo(-1);
        } catch (SocketTimeoutException e) {
          throw new AssertionError("the answer said Connection: close, but the server kept the connection open", e);
        }
        return;
      }
      // the answer promised a connection that goes on: the body, then the next request
      out.write("x".repeat(declared).getBytes(StandardCharsets.ISO_8859_1));
      out.write(("GET " + nextPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Answer next;
      try {
        next = Answer.read(in);
      } catch (IOException e) {
        throw new AssertionError("the early answer (" + early.head().split("\r\n")[0] + ") kept the connection,"
            + " but the next request on it got no answer: " + e, e);
      }
      assertThat(next.status()).as("the next request on the same connection").isEqualTo(200);
      assertThat(next.body()).isEqualTo(nextBody);
    }
  }

  /** An answer's head and its Content-Length body, read from a keep-alive connection. */
  private record Answer(String head, String body) {

    int status() {
      return Integer.parseInt(head.split(" ")[1]);
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        }
      }
      return null;
    }

    static Answer read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("the connection closed after " + head.size() + " bytes of an answer's head");
        }
        head.write(b);
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      Answer noBody = new Answer(head.toString(StandardCharsets.ISO_8859_1), "");
      String length = noBody.header("content-length");
      assertThat(length).as("Content-Length of " + noBody.head()).isNotNull();
      byte[] body = in.readNBytes(Integer.parseInt(length));
      return new Answer(noBody.head(), new String(body, StandardCharsets.UTF_8));
    }
  }
}
