package dev.faas4j.test;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Calls functions over HTTP by {@code Host} header, the way faas4j routes them ({@code
 * v1.hello.func.local}), from a test or any Java code.
 *
 * <p>Why not {@code java.net.http.HttpClient}: it silently drops a {@code Host} header unless the
 * JVM was started with {@code -Djdk.httpclient.allowRestrictedHeaders=host} (read once, when the
 * client classes load), so a Host-routed call lands on the application instead. This client writes
 * the HTTP/1.1 request itself, one connection per call ({@code Connection: close}), so the Host it
 * is given is the Host the server sees. If your application mounts faas4j with a path ({@code
 * FaasBuilder.mountPath("/fn")}), any HTTP client can also call {@code /fn/hello@v1/...} instead.
 *
 * <pre>{@code
 * FunctionClient client = FunctionClient.of(URI.create("http://127.0.0.1:" + port));
 * FunctionResponse answer = client.get("v1.hello.func.local", "/greet?name=Ada");
 * FunctionResponse posted = client.send("hello.func.local", FunctionRequest.post("/orders", "{}"));
 * }</pre>
 *
 * <p>Plain HTTP only (no TLS); the answer is read whole, up to {@value #MAX_BODY_BYTES} bytes.
 * Immutable and thread-safe.
 */
public final class FunctionClient {

  /** The largest answer body read. */
  public static final int MAX_BODY_BYTES = 64 << 20;

  private final InetSocketAddress server;
  private final Duration timeout;

  private FunctionClient(InetSocketAddress server, Duration timeout) {
    this.server = server;
    this.timeout = timeout;
  }

  /**
   * A client for the server at {@code serverUri}, e.g. {@code http://127.0.0.1:8080}; only its host
   * and port are used. Timeout: 30 s.
   *
   * @throws IllegalArgumentException for a URI that is not {@code http://host:port}
   */
  public static FunctionClient of(URI serverUri) {
    Objects.requireNonNull(serverUri, "serverUri");
    if (!"http".equalsIgnoreCase(serverUri.getScheme()) || serverUri.getHost() == null) {
      throw new IllegalArgumentException("the server must be an http://host:port URI, was " + serverUri);
    }
    int port = serverUri.getPort() < 0 ? 80 : serverUri.getPort();
    return new FunctionClient(new InetSocketAddress(serverUri.getHost(), port), Duration.ofSeconds(30));
  }

  /** This client with another timeout, for connecting and for each read of the answer. */
  public FunctionClient timeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new FunctionClient(server, timeout);
  }

  /** {@code GET pathAndQuery} with {@code Host: host}. */
  public FunctionResponse get(String host, String pathAndQuery) {
    return send(host, FunctionRequest.get(pathAndQuery));
  }

  /**
   * Sends {@code request} with {@code Host: host} (a Host header in the request is replaced) and
   * returns the whole answer.
   *
   * @throws UncheckedIOException when the connection fails, times out or the answer is malformed
   */
  public FunctionResponse send(String host, FunctionRequest request) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(request, "request");
    byte[] head = head(host, request);
    try (Socket socket = new Socket()) {
      socket.connect(server, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head);
      out.write(request.body());
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      return HttpAnswer.read(in, request.method().equals("HEAD"), MAX_BODY_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException("calling " + host + request.pathAndQuery() + " at " + server + " failed: "
          + e.getMessage(), e);
    }
  }

  private static byte[] head(String host, FunctionRequest request) {
    StringBuilder head = new StringBuilder(256);
    head.append(request.method()).append(' ').append(request.pathAndQuery()).append(" HTTP/1.1\r\n");
    field(head, "Host", host);
    for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
      String name = header.getKey();
      if (name.equalsIgnoreCase("Host") || name.equalsIgnoreCase("Content-Length")
          || name.equalsIgnoreCase("Transfer-Encoding") || name.equalsIgnoreCase("Connection")) {
        continue; // this client frames the message itself
      }
      for (String value : header.getValue()) {
        field(head, name, value);
      }
    }
    if (request.body().length > 0 || !request.method().equals("GET") && !request.method().equals("HEAD")) {
      field(head, "Content-Length", Integer.toString(request.body().length));
    }
    field(head, "Connection", "close");
    return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void field(StringBuilder head, String name, String value) {
    for (String text : new String[] {name, value}) {
      if (text.chars().anyMatch(c -> c == '\r' || c == '\n')) {
        throw new IllegalArgumentException("a header name or value contains a line break: " + name);
      }
    }
    head.append(name).append(": ").append(value).append("\r\n");
  }
}
