package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.http.ClientPace;
import dev.faas4j.core.internal.http.ResponseHead;
import dev.faas4j.core.internal.http.UpstreamCall;
import dev.faas4j.core.internal.http.UpstreamClient;
import dev.faas4j.core.internal.http.UpstreamException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a client's HTTP request to a function instance and streams the answer back.
 *
 * <p>The four legs are named as in Jetty's proxy: the server hands us the {@code
 * clientToProxyRequest} and the {@code proxyToClientResponse}, both in one {@link ClientExchange};
 * we send the {@code proxyToServerRequest} and read the {@code serverToProxyResponse}.
 *
 * <p>Threading. The server's thread writes the request to a pooled keep-alive connection itself;
 * the answer is read by the proxy's non-blocking I/O threads (one per two cores, at most four, see
 * {@link UpstreamClient}); no thread waits for a function to answer. In async mode (Jetty's core
 * API, or a servlet filter registered with {@code asyncSupported}), the server's thread is released
 * as soon as the request (and its body) went upstream, and the answer is written to the client with
 * non-blocking writes, by whichever thread has something to do. Otherwise the container's thread
 * waits and writes the answer itself, with blocking writes: slower under load, same behaviour. A
 * request body is read with non-blocking reads in async mode ({@link ClientBodyListener}), with
 * blocking reads by the container's thread otherwise; either way at most {@link
 * UpstreamCall#WINDOW} bytes ahead of the upstream connection.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Bodies are streamed in both directions through bounded windows; a body of any size (up to
 *       the request limit) is never held in memory whole.
 *   <li>Hop-by-hop headers, and headers named in {@code Connection}, are dropped in both
 *       directions. The client's {@code Host} is kept; {@code X-Forwarded-For} gets the client's
 *       address appended, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} are set to what
 *       this hop saw; with {@link ProxySettings#forwardedHeaders()} false, all three are dropped.
 *   <li>A failure is answered as an error ({@code {"status":"error","error":...}} with 504 {@code
 *       UPSTREAM_TIMEOUT}, 502 {@code UPSTREAM_ERROR}, 413 {@code PAYLOAD_TOO_LARGE}, 408 {@code REQUEST_TIMEOUT} when the
 *       client stalls, or 503 {@code UNAVAILABLE} when the function's connections stay busy) while
 *       nothing has been sent to the client; the answer never names the instance's address. Once the answer started, a failure aborts the client's connection instead: a
 *       truncated body never looks complete.
 *   <li>When the client goes away, the upstream exchange is cancelled and its connection closed,
 *       not returned to the pool.
 * </ul>
 *
 * <p>Thread-safe: one instance serves all requests concurrently over one pool of keep-alive
 * connections. {@link #close()} stops the I/O threads and closes every connection.
 */
public final class ReverseProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReverseProxy.class);

  /** The buffer each request body is read with, and the most an in-process body is read at once. */
  private static final int BUFFER_SIZE = 16 * 1024;

  /** At most this many function addresses are remembered resolved. */
  private static final int MAX_CACHED_ADDRESSES = 4096;

  /**
   * How the outcome reports a client connection that was aborted because the exchange failed after
   * the answer had started (the function broke off, or timed out mid-body).
   */
  public static final class ResponseAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseAbortedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ProxySettings settings;
  private final UpstreamClient upstream;
  private final ConcurrentMap<URI, InetSocketAddress> addresses = new ConcurrentHashMap<>();

  /**
   * Creates a proxy with its own connection pool and I/O threads.
   *
   * @param settings timeouts and limits; not null
   * @throws NullPointerException if {@code settings} is null
   */
  public ReverseProxy(ProxySettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    this.upstream =
        new UpstreamClient(
            "faas4j-proxy",
            ioThreads,
            settings.maxConnections(),
            settings.connectionsPerInstance(),
            settings.connectTimeout(),
            new ClientPace(settings.clientStallTimeout(), settings.minClientBytesPerStall()));
  }

  /** The settings this proxy was built with. */
  public ProxySettings settings() {
    return settings;
  }

  /**
   * Forwards the client's request to a ready instance and streams the answer back.
   *
   * <p>When this returns, the proxy owns the response: the caller must not touch it again. The
   * returned stage completes when the exchange is over: normally when the function's answer was
   * sent; exceptionally with the {@link FaasException} whose error answer was sent instead; or
   * with an {@link IOException} when the client's connection was aborted (the client went away, or
   * {@link ResponseAbortedException} when the function failed after its answer had started).
   *
   * @param client the client's request, whose body is read by this call, and the response to it
   * @param endpoint where the function instance is reached
   * @param upstreamPathAndQuery what to request upstream, starting with {@code /}, e.g. {@code
   *     /rest/of/path?x=1} (already stripped of any mount prefix), passed on as it is (raw)
   * @param timeout this function's response timeout, or null for {@link
   *     ProxySettings#responseTimeout()}
   * @return the outcome of the exchange
   * @throws IOException only when the request is not in async mode and the client's connection was
   *     aborted; the container must see it (the stage then has completed with it too)
   * @throws IllegalArgumentException if {@code upstreamPathAndQuery} does not start with {@code /}
   *     or {@code timeout} is not positive
   */
  public CompletionStage<Void> forward(
      ClientExchange client, Endpoint endpoint, String upstreamPathAndQuery, Duration timeout)
      throws IOException {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(upstreamPathAndQuery, "upstreamPathAndQuery");
    if (upstreamPathAndQuery.isEmpty() || upstreamPathAndQuery.charAt(0) != '/') {
      throw new IllegalArgumentException(
          "upstreamPathAndQuery must start with '/', was '" + upstreamPathAndQuery + "'");
    }
    Duration responseTimeout =
        timeout == null ? settings.responseTimeout() : ProxySettings.requirePositive(timeout, "timeout");
    long declaredLength = client.contentLength();
    try {
      if (declaredLength > settings.maxRequestBodyBytes()) {
        throw tooLarge();
      }
      if (endpoint instanceof Endpoint.Http http) {
        return forwardHttp(client, http, upstreamPathAndQuery, responseTimeout, declaredLength);
      }
      if (endpoint instanceof Endpoint.InProcess inProcess) {
        forwardInProcess(client, inProcess.handler(), upstreamPathAndQuery, declaredLength);
        return CompletableFuture.completedFuture(null);
      }
      throw new IllegalArgumentException("unknown endpoint type: " + endpoint);
    } catch (FaasException e) {
      // refused before anything went upstream: answer on this thread
      client.sendError(e.reason().httpStatus(), e.getMessage());
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Closes pooled connections idle for at least {@code idle}. An instance that was suspended, or
   * restarted on another port, leaves connections that no request will lease again (half-closed by
   * the dead peer); faas-core's maintenance pass calls this so they do not pile up as open files.
   */
  public void closeIdleConnections(Duration idle) {
    upstream.closeIdle(idle);
  }

  /** Stops the I/O threads and closes every upstream connection. Idempotent. */
  @Override
  public void close() {
    upstream.close();
  }

  /** Connection pool statistics; for tests that check nothing leaked. */
  UpstreamClient.Stats poolStats() {
    return upstream.stats();
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP endpoints

  private CompletionStage<Void> forwardHttp(
      ClientExchange client,
      Endpoint.Http endpoint,
      String upstreamPathAndQuery,
      Duration responseTimeout,
      long declaredLength)
      throws IOException {
    String method = client.method();
    boolean hasBody = client.hasBody();
    byte[] head = requestHead(client, method, upstreamPathAndQuery, endpoint, hasBody, declaredLength,
        settings.forwardedHeaders());
    boolean async = client.isAsync();
    ProxyExchange exchange =
        new ProxyExchange(client, e -> upstreamFailure(e, endpoint, responseTimeout));
    UpstreamCall call =
        upstream.newCall(
            address(endpoint),
            head,
            method.equals("HEAD"),
            hasBody,
            hasBody && declaredLength < 0,
            isIdempotent(method),
            responseTimeout,
            exchange);
    exchange.upstream(call);
    if (async) {
      exchange.startNonBlocking();
      if (hasBody) {
        // before the call starts, which may fail at once and complete the request: the body
        // queues in the call until a connection is there
        client.readBody(
            new ClientBodyListener(client, call, exchange, settings.maxRequestBodyBytes(), this::tooLarge));
      }
    }
    upstream.start(call);
    if (!async) {
      if (hasBody) {
        sendBody(client, call, exchange);
      }
      exchange.writeUntilDone();
    }
    return exchange.done();
  }

  /** Blocking mode: reads the client's body on this (the container's) thread and hands it upstream. */
  private void sendBody(ClientExchange client, UpstreamCall proxyToServerBody, ProxyExchange exchange) {
    try {
      InputStream clientToProxyBody = new ClientBodyInputStream(client.body(), settings.maxRequestBodyBytes());
      byte[] buffer = new byte[BUFFER_SIZE];
      int n;
      while ((n = clientToProxyBody.read(buffer)) >= 0) {
        if (n > 0 && !proxyToServerBody.offer(buffer, 0, n)) {
          return; // the exchange is already over (the function answered, or it failed)
        }
      }
      proxyToServerBody.endBody();
    } catch (ClientBodyInputStream.BodyTooLargeException e) {
      exchange.fail(tooLarge());
    } catch (ClientBodyInputStream.ClientReadException e) {
      LOG.debug("client went away while sending its body; aborting the upstream exchange");
      exchange.fail(e.getCause());
    } catch (IOException e) {
      exchange.fail(e);
    }
  }

  /** The request line and header fields to send upstream, ending with the empty line. */
  private static byte[] requestHead(
      ClientExchange client,
      String method,
      String upstreamPathAndQuery,
      Endpoint.Http endpoint,
      boolean hasBody,
      long declaredLength,
      boolean forwardedHeaders) {
    requireFieldText(upstreamPathAndQuery, "request target", false);
    StringBuilder head = new StringBuilder(512);
    head.append(method).append(' ').append(upstreamPathAndQuery).append(" HTTP/1.1\r\n");
    String connectionTokens = client.headerValues(Headers.CONNECTION);
    boolean[] hasHost = {false};
    client.forEachHeader((name, value) -> {
      if (isForwarded(name, connectionTokens) && !name.equalsIgnoreCase(Headers.CONTENT_LENGTH)) {
        hasHost[0] |= name.equalsIgnoreCase(Headers.HOST);
        appendField(head, name, value);
      }
    });
    if (!hasHost[0]) {
      appendField(head, Headers.HOST, endpoint.baseUri().getRawAuthority());
    }
    if (forwardedHeaders) {
      appendField(head, Headers.X_FORWARDED_FOR, forwardedFor(client, connectionTokens));
      appendField(head, Headers.X_FORWARDED_PROTO, client.scheme());
      appendField(head, Headers.X_FORWARDED_HOST, forwardedHost(client));
    }
    if (hasBody) {
      if (declaredLength >= 0) {
        appendField(head, Headers.CONTENT_LENGTH, Long.toString(declaredLength));
      } else {
        appendField(head, Headers.TRANSFER_ENCODING, "chunked");
      }
    }
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Whether a request header goes on to the function: not hop-by-hop, not named in {@code
   * Connection}, and not one of the X-Forwarded-* headers this hop sets itself.
   */
  private static boolean isForwarded(String name, String connectionTokens) {
    return !Headers.mustDrop(name, connectionTokens)
        && !name.equalsIgnoreCase(Headers.X_FORWARDED_FOR)
        && !name.equalsIgnoreCase(Headers.X_FORWARDED_PROTO)
        && !name.equalsIgnoreCase(Headers.X_FORWARDED_HOST);
  }

  private static void appendField(StringBuilder head, String name, String value) {
    requireFieldText(name, "header name", false);
    requireFieldText(value, "value of header " + name, true);
    head.append(name).append(": ").append(value).append("\r\n");
  }

  /**
   * Refuses text that would change the request's framing upstream: line breaks and other control
   * characters (the container normally rejects them first; this is the last line of defence).
   */
  private static void requireFieldText(String text, String what, boolean spacesAllowed) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && !(spacesAllowed && c == '\t')) || c == 0x7f || (c == ' ' && !spacesAllowed)) {
        throw new FaasException(
            Reason.INVALID_REQUEST, "the " + what + " contains a character not allowed there");
      }
    }
  }

  private static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  private InetSocketAddress address(Endpoint.Http endpoint) {
    URI baseUri = endpoint.baseUri();
    InetSocketAddress known = addresses.get(baseUri);
    if (known != null) {
      return known;
    }
    String host = baseUri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetSocketAddress resolved = new InetSocketAddress(host, baseUri.getPort());
    if (addresses.size() >= MAX_CACHED_ADDRESSES) {
      addresses.clear(); // instances come and go on new ports; start over rather than grow
    }
    if (!resolved.isUnresolved()) {
      addresses.put(baseUri, resolved);
    }
    return resolved;
  }

  /** Copies the function's response headers, less hop-by-hop ones, to the client's response. */
  static void copyResponseHeaders(List<ResponseHead.Field> fields, ClientExchange proxyToClientResponse) {
    String connectionTokens = null;
    for (ResponseHead.Field field : fields) {
      if (field.name().equalsIgnoreCase(Headers.CONNECTION)) {
        connectionTokens =
            connectionTokens == null ? field.value() : connectionTokens + ", " + field.value();
      }
    }
    for (int i = 0; i < fields.size(); i++) {
      ResponseHead.Field field = fields.get(i);
      if (Headers.mustDrop(field.name(), connectionTokens)) {
        continue;
      }
      // the first value replaces what the container may have put there (Date, Server), the rest add
      if (firstWithName(fields, i)) {
        proxyToClientResponse.setHeader(field.name(), field.value());
      } else {
        proxyToClientResponse.addHeader(field.name(), field.value());
      }
    }
  }

  private static boolean firstWithName(List<ResponseHead.Field> fields, int index) {
    String name = fields.get(index).name();
    for (int i = 0; i < index; i++) {
      if (fields.get(i).name().equalsIgnoreCase(name)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The error to answer an upstream failure with. The client's message says what happened but not
   * where: an instance's address is internal, and function callers need no credentials. The server
   * log has the address (at DEBUG for the refusals an overload makes by the thousand).
   */
  private FaasException upstreamFailure(
      UpstreamException e, Endpoint.Http endpoint, Duration responseTimeout) {
    FaasException error = describeUpstreamFailure(e, responseTimeout);
    if (error.reason() == Reason.UNAVAILABLE || error.reason() == Reason.REQUEST_TIMEOUT) {
      LOG.debug("function instance at {}: {} ({})", endpoint.baseUri(), error.getMessage(), e.toString());
    } else {
      LOG.warn("function instance at {}: {} ({})", endpoint.baseUri(), error.getMessage(), e.toString());
    }
    return error;
  }

  private FaasException describeUpstreamFailure(UpstreamException e, Duration responseTimeout) {
    return switch (e.kind()) {
      case POOL_EXHAUSTED -> new FaasException(
          Reason.UNAVAILABLE,
          "the function is busy: every connection it may use stayed busy, try again later"
              + " (operators: raise maxConnectionsPerInstance or the function's capacity)",
          e);
      case CLIENT_STALLED -> new FaasException(Reason.REQUEST_TIMEOUT, e.getMessage(), e);
      case CONNECT_TIMEOUT -> new FaasException(
          Reason.UPSTREAM_TIMEOUT,
          "could not connect to the function's instance within " + settings.connectTimeout().toMillis() + " ms",
          e);
      case RESPONSE_TIMEOUT -> new FaasException(
          Reason.UPSTREAM_TIMEOUT,
          "the function did not answer within " + responseTimeout.toMillis() + " ms",
          e);
      case CONNECT_REFUSED -> new FaasException(
          Reason.UPSTREAM_ERROR, "the function's instance refused the connection", e);
      case CONNECT_FAILED, PROTOCOL_ERROR, CONNECTION_FAILED, CLOSED -> new FaasException(
          Reason.UPSTREAM_ERROR, "the function's instance failed: " + describe(e), e);
    };
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private FaasException tooLarge() {
    return new FaasException(
        Reason.PAYLOAD_TOO_LARGE,
        "request body is larger than the limit of " + settings.maxRequestBodyBytes()
            + " bytes; send a smaller body or raise the proxy's maxRequestBodyBytes");
  }

  // ---------------------------------------------------------------------------------------------
  // X-Forwarded-*

  private static String forwardedFor(ClientExchange client, String tokens) {
    String clientAddress = client.remoteAddress();
    String earlier =
        tokens != null && Headers.containsToken(tokens, Headers.X_FORWARDED_FOR)
            ? null
            : client.headerValues(Headers.X_FORWARDED_FOR);
    return earlier == null || earlier.isBlank() ? clientAddress : earlier + ", " + clientAddress;
  }

  private static String forwardedHost(ClientExchange client) {
    String host = client.header(Headers.HOST);
    return host != null ? host : client.serverName();
  }

  // ---------------------------------------------------------------------------------------------
  // in-process endpoints

  private void forwardInProcess(
      ClientExchange client, FunctionHandler handler, String upstreamPathAndQuery, long declaredLength)
      throws IOException {
    byte[] body = client.hasBody() ? readWholeBody(client, declaredLength) : new byte[0];
    int queryStart = upstreamPathAndQuery.indexOf('?');
    String path = queryStart < 0 ? upstreamPathAndQuery : upstreamPathAndQuery.substring(0, queryStart);
    String query = queryStart < 0 ? "" : upstreamPathAndQuery.substring(queryStart + 1);
    FunctionRequest functionRequest =
        new FunctionRequest(client.method(), path, query, requestHeaders(client, settings.forwardedHeaders()), body);

    FunctionResponse functionResponse;
    try {
      functionResponse = handler.handle(functionRequest);
    } catch (Exception e) {
      throw new FaasException(
          Reason.UPSTREAM_ERROR, "the in-process function failed: " + describe(e), e);
    }
    if (functionResponse == null) {
      throw new FaasException(
          Reason.UPSTREAM_ERROR, "the in-process function returned no response (null)");
    }

    client.setStatus(functionResponse.status());
    for (Map.Entry<String, List<String>> header : functionResponse.headers().entrySet()) {
      String name = header.getKey();
      if (Headers.mustDrop(name, null) || name.equalsIgnoreCase(Headers.CONTENT_LENGTH)) {
        continue;
      }
      boolean first = true;
      for (String value : header.getValue()) {
        if (first) {
          client.setHeader(name, value);
          first = false;
        } else {
          client.addHeader(name, value);
        }
      }
    }
    client.send(functionResponse.body());
  }

  private byte[] readWholeBody(ClientExchange client, long declaredLength) throws IOException {
    // a byte array holds at most Integer.MAX_VALUE - 8 bytes
    long limit = Math.min(settings.maxRequestBodyBytes(), Integer.MAX_VALUE - 8);
    if (declaredLength > limit) {
      throw tooLarge();
    }
    InputStream clientToProxyBody = client.body();
    if (declaredLength >= 0) {
      byte[] body = clientToProxyBody.readNBytes((int) declaredLength);
      if (body.length < declaredLength) {
        throw new IOException(
            "client sent " + body.length + " of the " + declaredLength + " bytes it announced");
      }
      return body;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[BUFFER_SIZE];
    int n;
    while ((n = clientToProxyBody.read(buffer)) >= 0) {
      if (body.size() + (long) n > limit) {
        throw tooLarge();
      }
      body.write(buffer, 0, n);
    }
    return body.toByteArray();
  }

  private static Map<String, List<String>> requestHeaders(ClientExchange client, boolean forwardedHeaders) {
    String connectionTokens = client.headerValues(Headers.CONNECTION);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    client.forEachHeader((name, value) -> {
      if (isForwarded(name, connectionTokens)) {
        headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      }
    });
    if (forwardedHeaders) {
      headers.put(Headers.X_FORWARDED_FOR, List.of(forwardedFor(client, connectionTokens)));
      headers.put(Headers.X_FORWARDED_PROTO, List.of(client.scheme()));
      headers.put(Headers.X_FORWARDED_HOST, List.of(forwardedHost(client)));
    }
    return headers;
  }
}
