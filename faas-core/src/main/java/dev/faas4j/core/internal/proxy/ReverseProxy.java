package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a client's HTTP request to a function instance and streams the answer back.
 *
 * <p>The four legs are named as in Jetty's proxy: the servlet container hands us the {@code
 * clientToProxyRequest} and the {@code proxyToClientResponse}; we send the {@code
 * proxyToServerRequest} and read the {@code serverToProxyResponse}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Bodies are streamed in both directions through one bounded buffer per request; a body of
 *       any size (up to the request limit) is never held in memory whole.
 *   <li>Hop-by-hop headers, and headers named in {@code Connection}, are dropped in both
 *       directions. The client's {@code Host} is kept; {@code X-Forwarded-For} gets the client's
 *       address appended, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} are set to what
 *       this hop saw.
 *   <li>A failure is reported as a {@link FaasException} ({@code UPSTREAM_TIMEOUT} 504, {@code
 *       UPSTREAM_ERROR} 502, {@code PAYLOAD_TOO_LARGE} 413, {@code UNAVAILABLE} 503 when the
 *       connection pool stays exhausted) only while nothing has been sent to the client; the
 *       response is then reset and the caller writes the error. Once the response is committed, a
 *       failure is thrown as {@link ResponseAbortedException} (an {@link IOException}) that the
 *       caller must let propagate so the servlet container aborts the client's connection: a
 *       truncated body never looks complete.
 *   <li>When the client goes away (its stream throws), the upstream exchange is aborted: the
 *       upstream connection is closed, not returned to the pool, and the client's {@link
 *       IOException} is rethrown.
 * </ul>
 *
 * <p>Thread-safe: one instance serves all requests concurrently with a shared, pooled HttpClient
 * (keep-alive); it starts no thread per request. {@link #close()} releases the pool; forwarding
 * after close fails.
 */
public final class ReverseProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReverseProxy.class);

  /** The one buffer each streamed body uses (per direction and request). */
  private static final int BUFFER_SIZE = 16 * 1024;

  /** At most this many distinct per-function timeouts keep a cached request configuration. */
  private static final int MAX_CACHED_CONFIGS = 64;

  /**
   * Thrown by {@link #forward} when the response to the client was already committed and the
   * exchange then failed (the upstream broke off, or timed out mid-body). The caller must rethrow
   * it (not write an error) so that the container aborts the client's connection.
   */
  public static final class ResponseAbortedException extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseAbortedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ProxySettings settings;
  private final PoolingHttpClientConnectionManager connectionManager;
  private final CloseableHttpClient httpClient;
  private final RequestConfig defaultRequestConfig;
  private final ConcurrentMap<Duration, RequestConfig> requestConfigs = new ConcurrentHashMap<>();

  /**
   * Creates a proxy with its own connection pool.
   *
   * @param settings timeouts and limits; not null
   * @throws NullPointerException if {@code settings} is null
   */
  public ReverseProxy(ProxySettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    ConnectionConfig connectionConfig =
        ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(settings.connectTimeout()))
            .setSocketTimeout(Timeout.of(settings.responseTimeout()))
            // an instance may have been suspended and restarted on another port meanwhile
            .setValidateAfterInactivity(TimeValue.ofSeconds(1))
            .build();
    this.connectionManager =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnTotal(settings.maxConnections())
            .setMaxConnPerRoute(settings.maxConnections())
            .setDefaultConnectionConfig(connectionConfig)
            .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
            .build();
    this.defaultRequestConfig = requestConfig(settings.responseTimeout());
    this.httpClient =
        HttpClients.custom()
            .setConnectionManager(connectionManager)
            .setDefaultRequestConfig(defaultRequestConfig)
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableContentCompression()
            .disableAuthCaching()
            .disableConnectionState()
            .disableDefaultUserAgent()
            .build();
  }

  /** The settings this proxy was built with. */
  public ProxySettings settings() {
    return settings;
  }

  /**
   * Forwards the client's request to a ready instance and streams the answer back.
   *
   * @param clientToProxyRequest the client's request; its body is read by this call
   * @param proxyToClientResponse the response to the client; written by this call
   * @param endpoint where the function instance is reached
   * @param upstreamPathAndQuery what to request upstream, starting with {@code /}, e.g. {@code
   *     /rest/of/path?x=1} (already stripped of any mount prefix), passed on as it is (raw)
   * @param timeout this function's response timeout, or null for {@link
   *     ProxySettings#responseTimeout()}
   * @throws FaasException with reason {@code UPSTREAM_TIMEOUT}, {@code UPSTREAM_ERROR}, {@code
   *     PAYLOAD_TOO_LARGE} or {@code UNAVAILABLE}, only while nothing was written to the client
   * @throws ResponseAbortedException when the exchange failed after the response was committed;
   *     rethrow it so the client's connection is aborted
   * @throws IOException when the client went away (its stream failed); the upstream exchange was
   *     aborted
   * @throws IllegalArgumentException if {@code upstreamPathAndQuery} does not start with {@code /}
   *     or {@code timeout} is not positive
   */
  public void forward(
      HttpServletRequest clientToProxyRequest,
      HttpServletResponse proxyToClientResponse,
      Endpoint endpoint,
      String upstreamPathAndQuery,
      Duration timeout)
      throws IOException {
    Objects.requireNonNull(clientToProxyRequest, "clientToProxyRequest");
    Objects.requireNonNull(proxyToClientResponse, "proxyToClientResponse");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(upstreamPathAndQuery, "upstreamPathAndQuery");
    if (upstreamPathAndQuery.isEmpty() || upstreamPathAndQuery.charAt(0) != '/') {
      throw new IllegalArgumentException(
          "upstreamPathAndQuery must start with '/', was '" + upstreamPathAndQuery + "'");
    }
    long declaredLength = clientToProxyRequest.getContentLengthLong();
    if (declaredLength > settings.maxRequestBodyBytes()) {
      throw tooLarge();
    }
    if (endpoint instanceof Endpoint.Http http) {
      forwardHttp(
          clientToProxyRequest,
          proxyToClientResponse,
          http,
          upstreamPathAndQuery,
          requestConfigFor(timeout),
          declaredLength);
    } else if (endpoint instanceof Endpoint.InProcess inProcess) {
      forwardInProcess(
          clientToProxyRequest,
          proxyToClientResponse,
          inProcess.handler(),
          upstreamPathAndQuery,
          declaredLength);
    } else {
      throw new IllegalArgumentException("unknown endpoint type: " + endpoint);
    }
  }

  /**
   * Closes pooled connections idle for at least {@code idle}. An instance that was suspended, or
   * restarted on another port, leaves connections that no request will lease again (half-closed by
   * the dead peer); faas-core's maintenance pass calls this so they do not pile up as open files.
   */
  public void closeIdleConnections(Duration idle) {
    connectionManager.closeExpired();
    connectionManager.closeIdle(TimeValue.of(idle));
  }

  /** Releases the connection pool, closing every upstream connection. Idempotent. */
  @Override
  public void close() {
    httpClient.close(CloseMode.IMMEDIATE);
    connectionManager.close(CloseMode.IMMEDIATE);
  }

  /** Connection pool statistics; for tests that check nothing leaked. */
  PoolStats poolStats() {
    return connectionManager.getTotalStats();
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP endpoints

  private void forwardHttp(
      HttpServletRequest clientToProxyRequest,
      HttpServletResponse proxyToClientResponse,
      Endpoint.Http endpoint,
      String upstreamPathAndQuery,
      RequestConfig requestConfig,
      long declaredLength)
      throws IOException {
    HttpUriRequestBase proxyToServerRequest =
        new HttpUriRequestBase(clientToProxyRequest.getMethod(), endpoint.baseUri());
    proxyToServerRequest.setPath(upstreamPathAndQuery);
    proxyToServerRequest.setConfig(requestConfig);
    copyRequestHeaders(clientToProxyRequest, proxyToServerRequest);
    if (hasBody(clientToProxyRequest, declaredLength)) {
      ClientBodyInputStream clientToProxyBody =
          new ClientBodyInputStream(
              clientToProxyRequest.getInputStream(), settings.maxRequestBodyBytes());
      // the entity decides Content-Length or chunked; the client's framing headers were dropped
      proxyToServerRequest.setEntity(new ClientBodyEntity(clientToProxyBody, declaredLength));
    }

    ClassicHttpResponse serverToProxyResponse;
    try {
      serverToProxyResponse = httpClient.executeOpen(null, proxyToServerRequest, null);
    } catch (IOException e) {
      proxyToServerRequest.cancel();
      throw failureBeforeResponse(e, endpoint, requestConfig);
    }
    try {
      proxyToClientResponse.setStatus(serverToProxyResponse.getCode());
      copyResponseHeaders(serverToProxyResponse, proxyToClientResponse);
      HttpEntity entity = serverToProxyResponse.getEntity();
      if (entity != null) {
        streamResponseBody(
            entity, proxyToServerRequest, proxyToClientResponse, endpoint, requestConfig);
      }
    } finally {
      // after a complete body the connection is already back in the pool and this is a no-op;
      // otherwise the request was cancelled first, so closing never drains a large body
      closeQuietly(serverToProxyResponse);
    }
  }

  private static boolean hasBody(HttpServletRequest clientToProxyRequest, long declaredLength) {
    if (declaredLength >= 0) {
      return true;
    }
    if (clientToProxyRequest.getHeader(Headers.TRANSFER_ENCODING) != null) {
      return true;
    }
    // HTTP/2 and later frame bodies without either header
    String protocol = clientToProxyRequest.getProtocol();
    if (protocol == null || protocol.startsWith("HTTP/1") || protocol.startsWith("HTTP/0")) {
      return false;
    }
    try {
      return !clientToProxyRequest.getInputStream().isFinished();
    } catch (IOException e) {
      return true; // let the body read report the failure
    }
  }

  private void copyRequestHeaders(
      HttpServletRequest clientToProxyRequest, HttpUriRequestBase proxyToServerRequest) {
    String connectionTokens = Headers.joined(clientToProxyRequest.getHeaders(Headers.CONNECTION));
    Enumeration<String> names = clientToProxyRequest.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      if (Headers.mustDrop(name, connectionTokens)
          || name.equalsIgnoreCase(Headers.CONTENT_LENGTH)
          || name.equalsIgnoreCase(Headers.X_FORWARDED_FOR)
          || name.equalsIgnoreCase(Headers.X_FORWARDED_PROTO)
          || name.equalsIgnoreCase(Headers.X_FORWARDED_HOST)) {
        continue;
      }
      Enumeration<String> values = clientToProxyRequest.getHeaders(name);
      while (values.hasMoreElements()) {
        proxyToServerRequest.addHeader(name, values.nextElement());
      }
    }
    proxyToServerRequest.setHeader(
        Headers.X_FORWARDED_FOR, forwardedFor(clientToProxyRequest, connectionTokens));
    proxyToServerRequest.setHeader(Headers.X_FORWARDED_PROTO, clientToProxyRequest.getScheme());
    proxyToServerRequest.setHeader(Headers.X_FORWARDED_HOST, forwardedHost(clientToProxyRequest));
  }

  private void copyResponseHeaders(
      ClassicHttpResponse serverToProxyResponse, HttpServletResponse proxyToClientResponse) {
    Header[] headers = serverToProxyResponse.getHeaders();
    String connectionTokens = null;
    for (Header header : headers) {
      if (header.getName().equalsIgnoreCase(Headers.CONNECTION)) {
        connectionTokens =
            connectionTokens == null
                ? header.getValue()
                : connectionTokens + ", " + header.getValue();
      }
    }
    for (int i = 0; i < headers.length; i++) {
      String name = headers[i].getName();
      if (Headers.mustDrop(name, connectionTokens)) {
        continue;
      }
      // the first value replaces what the container may have put there (Date, Server), the rest add
      if (firstWithName(headers, i)) {
        proxyToClientResponse.setHeader(name, headers[i].getValue());
      } else {
        proxyToClientResponse.addHeader(name, headers[i].getValue());
      }
    }
  }

  private static boolean firstWithName(Header[] headers, int index) {
    String name = headers[index].getName();
    for (int i = 0; i < index; i++) {
      if (headers[i].getName().equalsIgnoreCase(name)) {
        return false;
      }
    }
    return true;
  }

  private void streamResponseBody(
      HttpEntity entity,
      HttpUriRequestBase proxyToServerRequest,
      HttpServletResponse proxyToClientResponse,
      Endpoint.Http endpoint,
      RequestConfig requestConfig)
      throws IOException {
    long expectedLength = entity.getContentLength();
    InputStream serverToProxyBody;
    ServletOutputStream proxyToClientBody;
    try {
      serverToProxyBody = entity.getContent();
    } catch (IOException e) {
      throw failureAfterResponseHead(
          e, proxyToServerRequest, proxyToClientResponse, endpoint, requestConfig);
    }
    try {
      proxyToClientBody = proxyToClientResponse.getOutputStream();
    } catch (IOException e) {
      throw clientGone(e, proxyToServerRequest);
    }
    byte[] buffer = new byte[bufferSize(expectedLength)];
    long copied = 0;
    while (true) {
      int n;
      boolean moreBuffered;
      boolean last;
      try {
        n = serverToProxyBody.read(buffer);
        last = n < 0 || (expectedLength >= 0 && copied + n >= expectedLength);
        if (last && n >= 0) {
          // reach the end now: HttpClient returns the connection to the pool before the client
          // sees the response end, so the client's next request can reuse it
          serverToProxyBody.read();
        }
        moreBuffered = !last && serverToProxyBody.available() > 0;
      } catch (IOException e) {
        throw failureAfterResponseHead(
            e, proxyToServerRequest, proxyToClientResponse, endpoint, requestConfig);
      }
      if (n < 0) {
        return;
      }
      try {
        proxyToClientBody.write(buffer, 0, n);
        copied += n;
        // pass on what arrived before waiting for more (server-sent events, slow producers), but
        // let the container write the last piece together with the end of the response
        if (!moreBuffered && !last) {
          proxyToClientBody.flush();
        }
      } catch (IOException e) {
        throw clientGone(e, proxyToServerRequest);
      }
      if (last) {
        return;
      }
    }
  }

  /**
   * The buffer for a response body: no larger than the body when its length is known, because
   * most function answers are a few bytes and a 16 KiB array per request is needless garbage.
   */
  static int bufferSize(long expectedLength) {
    return expectedLength >= 0 && expectedLength < BUFFER_SIZE
        ? (int) Math.max(1, expectedLength)
        : BUFFER_SIZE;
  }

  private IOException clientGone(IOException e, HttpUriRequestBase proxyToServerRequest) {
    proxyToServerRequest.cancel();
    LOG.debug("client went away; aborted the upstream exchange: {}", e.toString());
    return e;
  }

  private IOException failureAfterResponseHead(
      IOException e,
      HttpUriRequestBase proxyToServerRequest,
      HttpServletResponse proxyToClientResponse,
      Endpoint.Http endpoint,
      RequestConfig requestConfig) {
    proxyToServerRequest.cancel();
    FaasException failure = upstreamFailure(e, endpoint, requestConfig, true);
    if (!proxyToClientResponse.isCommitted()) {
      proxyToClientResponse.reset();
      throw failure;
    }
    LOG.warn(
        "{}; the response was already being sent, aborting the client's connection",
        failure.getMessage());
    return new ResponseAbortedException(failure.getMessage(), e);
  }

  private IOException failureBeforeResponse(
      IOException e, Endpoint.Http endpoint, RequestConfig requestConfig) {
    ClientBodyInputStream.BodyTooLargeException tooLarge =
        causeOfType(e, ClientBodyInputStream.BodyTooLargeException.class);
    if (tooLarge != null) {
      throw tooLarge();
    }
    ClientBodyInputStream.ClientReadException clientFailure =
        causeOfType(e, ClientBodyInputStream.ClientReadException.class);
    if (clientFailure != null) {
      LOG.debug("client went away while sending its body; aborted the upstream exchange");
      return (IOException) clientFailure.getCause();
    }
    throw upstreamFailure(e, endpoint, requestConfig, false);
  }

  private static FaasException upstreamFailure(
      IOException e, Endpoint.Http endpoint, RequestConfig requestConfig, boolean headReceived) {
    String where = "function instance at " + endpoint.baseUri();
    if (e instanceof ConnectionRequestTimeoutException) {
      return new FaasException(
          Reason.UNAVAILABLE,
          "no free connection to the " + where + " within the connect timeout: every pooled"
              + " connection is busy; raise maxConnections or the instance's capacity",
          e);
    }
    if (e instanceof ConnectTimeoutException) {
      return new FaasException(
          Reason.UPSTREAM_TIMEOUT,
          "could not connect to the " + where + " within " + requestConfig.getConnectTimeout().toMilliseconds() + " ms",
          e);
    }
    if (e instanceof SocketTimeoutException) {
      return new FaasException(
          Reason.UPSTREAM_TIMEOUT,
          "the " + where + " did not answer within " + requestConfig.getResponseTimeout().toMilliseconds() + " ms"
              + (headReceived ? " while sending its body" : ""),
          e);
    }
    if (e instanceof ConnectException) {
      return new FaasException(
          Reason.UPSTREAM_ERROR, "the " + where + " refused the connection: " + e.getMessage(), e);
    }
    return new FaasException(
        Reason.UPSTREAM_ERROR,
        "the " + where + " failed "
            + (headReceived ? "while sending its body" : "before answering")
            + ": " + describe(e),
        e);
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static void closeQuietly(ClassicHttpResponse serverToProxyResponse) {
    try {
      serverToProxyResponse.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the upstream response failed: {}", e.toString());
    }
  }

  private RequestConfig requestConfigFor(Duration timeout) {
    if (timeout == null || timeout.equals(settings.responseTimeout())) {
      return defaultRequestConfig;
    }
    RequestConfig cached = requestConfigs.get(timeout);
    if (cached != null) {
      return cached;
    }
    RequestConfig created = requestConfig(ProxySettings.requirePositive(timeout, "timeout"));
    if (requestConfigs.size() < MAX_CACHED_CONFIGS) {
      requestConfigs.putIfAbsent(timeout, created);
    }
    return created;
  }

  private RequestConfig requestConfig(Duration responseTimeout) {
    return RequestConfig.custom()
        .setConnectionRequestTimeout(Timeout.of(settings.connectTimeout()))
        .setResponseTimeout(Timeout.of(responseTimeout))
        .setRedirectsEnabled(false)
        .setExpectContinueEnabled(false)
        .setContentCompressionEnabled(false)
        .setAuthenticationEnabled(false)
        .setProtocolUpgradeEnabled(false)
        .build();
  }

  private FaasException tooLarge() {
    return new FaasException(
        Reason.PAYLOAD_TOO_LARGE,
        "request body is larger than the limit of " + settings.maxRequestBodyBytes()
            + " bytes; send a smaller body or raise the proxy's maxRequestBodyBytes");
  }

  // ---------------------------------------------------------------------------------------------
  // X-Forwarded-*

  private static String forwardedFor(HttpServletRequest clientToProxyRequest, String tokens) {
    String clientAddress = clientToProxyRequest.getRemoteAddr();
    String earlier =
        tokens != null && Headers.containsToken(tokens, Headers.X_FORWARDED_FOR)
            ? null
            : Headers.joined(clientToProxyRequest.getHeaders(Headers.X_FORWARDED_FOR));
    return earlier == null || earlier.isBlank() ? clientAddress : earlier + ", " + clientAddress;
  }

  private static String forwardedHost(HttpServletRequest clientToProxyRequest) {
    String host = clientToProxyRequest.getHeader(Headers.HOST);
    return host != null ? host : clientToProxyRequest.getServerName();
  }

  // ---------------------------------------------------------------------------------------------
  // in-process endpoints

  private void forwardInProcess(
      HttpServletRequest clientToProxyRequest,
      HttpServletResponse proxyToClientResponse,
      FunctionHandler handler,
      String upstreamPathAndQuery,
      long declaredLength)
      throws IOException {
    byte[] body =
        hasBody(clientToProxyRequest, declaredLength)
            ? readWholeBody(clientToProxyRequest, declaredLength)
            : new byte[0];
    int queryStart = upstreamPathAndQuery.indexOf('?');
    String path = queryStart < 0 ? upstreamPathAndQuery : upstreamPathAndQuery.substring(0, queryStart);
    String query = queryStart < 0 ? "" : upstreamPathAndQuery.substring(queryStart + 1);
    FunctionRequest functionRequest =
        new FunctionRequest(
            clientToProxyRequest.getMethod(), path, query, requestHeaders(clientToProxyRequest), body);

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

    proxyToClientResponse.setStatus(functionResponse.status());
    for (Map.Entry<String, List<String>> header : functionResponse.headers().entrySet()) {
      String name = header.getKey();
      if (Headers.mustDrop(name, null) || name.equalsIgnoreCase(Headers.CONTENT_LENGTH)) {
        continue;
      }
      boolean first = true;
      for (String value : header.getValue()) {
        if (first) {
          proxyToClientResponse.setHeader(name, value);
          first = false;
        } else {
          proxyToClientResponse.addHeader(name, value);
        }
      }
    }
    byte[] responseBody = functionResponse.body();
    proxyToClientResponse.setContentLength(responseBody.length);
    if (responseBody.length > 0) {
      proxyToClientResponse.getOutputStream().write(responseBody);
    }
  }

  private byte[] readWholeBody(HttpServletRequest clientToProxyRequest, long declaredLength)
      throws IOException {
    // a byte array holds at most Integer.MAX_VALUE - 8 bytes
    long limit = Math.min(settings.maxRequestBodyBytes(), Integer.MAX_VALUE - 8);
    if (declaredLength > limit) {
      throw tooLarge();
    }
    InputStream clientToProxyBody = clientToProxyRequest.getInputStream();
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

  private static Map<String, List<String>> requestHeaders(HttpServletRequest clientToProxyRequest) {
    String connectionTokens = Headers.joined(clientToProxyRequest.getHeaders(Headers.CONNECTION));
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Enumeration<String> names = clientToProxyRequest.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      if (Headers.mustDrop(name, connectionTokens)
          || name.equalsIgnoreCase(Headers.X_FORWARDED_FOR)
          || name.equalsIgnoreCase(Headers.X_FORWARDED_PROTO)
          || name.equalsIgnoreCase(Headers.X_FORWARDED_HOST)) {
        continue;
      }
      List<String> values = new ArrayList<>(1);
      Enumeration<String> each = clientToProxyRequest.getHeaders(name);
      while (each.hasMoreElements()) {
        values.add(each.nextElement());
      }
      headers.merge(name, values, (a, b) -> {
        a.addAll(b);
        return a;
      });
    }
    headers.put(
        Headers.X_FORWARDED_FOR, List.of(forwardedFor(clientToProxyRequest, connectionTokens)));
    headers.put(Headers.X_FORWARDED_PROTO, List.of(clientToProxyRequest.getScheme()));
    headers.put(Headers.X_FORWARDED_HOST, List.of(forwardedHost(clientToProxyRequest)));
    return headers;
  }
}
