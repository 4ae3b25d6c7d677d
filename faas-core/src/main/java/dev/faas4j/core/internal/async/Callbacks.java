package dev.faas4j.core.internal.async;

import dev.faas4j.api.AsyncCall;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Posts a call's answer to its callback URL: the function's body, its {@code Content-Type}, and
 * {@code X-Call-Id}, {@code X-Function-Name} and {@code X-Function-Status}.
 *
 * <p>One HTTP/1.1 request per delivery, on a socket of its own, to the very address {@link
 * CallbackGuard} checked (the host is resolved once, so a second DNS answer cannot lead elsewhere);
 * {@code https} verifies the server's certificate for the URL's host. Redirects are not followed.
 * Stateless apart from its settings; thread-safe; holds no thread.
 */
final class Callbacks {

  private final CallbackGuard guard;
  private final int timeoutMillis;

  Callbacks(CallbackGuard guard, Duration timeout) {
    this.guard = guard;
    this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
  }

  /**
   * Delivers the answer of {@code call}.
   *
   * @return null once delivered (the receiver answered with a status below 500), else why it was not
   */
  String deliver(AsyncCall call) {
    CallbackGuard.Target target;
    try {
      target = guard.check(call.callbackUrl());
    } catch (RuntimeException e) {
      return e.getMessage();
    }
    URI uri = target.uri();
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    try (Socket socket = connect(target, port, tls)) {
      OutputStream out = socket.getOutputStream();
      out.write(head(call, uri, port, tls).getBytes(StandardCharsets.ISO_8859_1));
      out.write(call.responseBody());
      out.flush();
      int status = status(new BufferedInputStream(socket.getInputStream()));
      return status < 500 ? null : "the callback answered " + status;
    } catch (IOException | RuntimeException e) {
      return "the callback failed: " + e;
    }
  }

  private Socket connect(CallbackGuard.Target target, int port, boolean tls) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(target.address(), port), timeoutMillis);
      plain.setSoTimeout(timeoutMillis);
      if (!tls) {
        return plain;
      }
      SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
          .createSocket(plain, target.uri().getHost(), port, true);
      SSLParameters parameters = secure.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      secure.setSSLParameters(parameters);
      secure.startHandshake();
      return secure;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  private static String head(AsyncCall call, URI uri, int port, boolean tls) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    boolean defaultPort = port == (tls ? 443 : 80);
    StringBuilder head = new StringBuilder("POST ").append(path).append(query).append(" HTTP/1.1\r\n")
        .append("Host: ").append(uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost())
        .append(defaultPort ? "" : ":" + port).append("\r\n")
        .append(AsyncCalls.CALL_ID_HEADER).append(": ").append(call.id()).append("\r\n")
        .append("X-Function-Name: ").append(call.function()).append("\r\n")
        .append("X-Function-Status: ").append(call.status()).append("\r\n")
        .append("Content-Length: ").append(call.responseBody().length).append("\r\n")
        .append("Connection: close\r\n");
    Map<String, List<String>> answerHeaders = HeaderLines.decode(call.responseHeaders());
    answerHeaders.forEach((name, values) -> {
      if (name.equalsIgnoreCase("Content-Type") && !values.isEmpty()) {
        head.append("Content-Type: ").append(values.get(0)).append("\r\n");
      }
    });
    return head.append("\r\n").toString();
  }

  /** The status of the answer's status line, e.g. 200 from {@code HTTP/1.1 200 OK}. */
  private static int status(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n' && line.size() < 1024) {
      line.write(c);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1).trim();
    String[] parts = text.split(" ");
    if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[1-5][0-9][0-9]")) {
      throw new IOException("not an HTTP answer: " + CallbackGuard.abbreviate(text));
    }
    return Integer.parseInt(parts[1]);
  }
}
