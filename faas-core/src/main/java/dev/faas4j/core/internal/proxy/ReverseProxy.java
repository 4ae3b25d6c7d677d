package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.http.ClientPace;
import dev.faas4j.core.internal.http.UpstreamCall;
import dev.faas4j.core.internal.http.UpstreamClient;
import dev.faas4j.core.internal.http.UpstreamException;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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
 * <p>This class orchestrates the forwarding and turns upstream failures into errors; the header
 * rules of each leg are {@link ForwardingRules}', the answer's way back to the client is {@link
 * ProxyExchange}'s, and functions that run in this JVM are called by {@link InProcessForwarder}.
 *
 * <p>Thread-safe: one instance serves all requests concurrently over one pool of keep-alive
 * connections. {@link #close()} stops the I/O threads and closes every connection.
 */
public final class ReverseProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReverseProxy.class);

  /** The buffer each request body is read with in blocking mode. */
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
  private final InProcessForwarder inProcess;
  private final ConcurrentMap<URI, InetSocketAddress> addresses = new ConcurrentHashMap<>();
  private final UpgradeForwarder upgrades;

  /** How long a WebSocket (or other upgraded) connection may stay silent both ways: 5 minutes. */
  public static final Duration DEFAULT_TUNNEL_IDLE_TIMEOUT = Duration.ofMinutes(5);

  /**
   * Creates a proxy with its own connection pool and I/O threads.
   *
   * @param settings timeouts and limits; not null
   * @throws NullPointerException if {@code settings} is null
   */
  public ReverseProxy(ProxySettings settings) {
    this(settings, DEFAULT_TUNNEL_IDLE_TIMEOUT, System::nanoTime);
  }

  /**
   * Creates a proxy whose upgraded connections (WebSockets) close after {@code tunnelIdleTimeout}
   * without traffic, measured with {@code nanoTicker}; at most {@link ProxySettings#maxConnections()}
   * of them are open at once.
   */
  public ReverseProxy(ProxySettings settings, Duration tunnelIdleTimeout, java.util.function.LongSupplier nanoTicker) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.upgrades = new UpgradeForwarder(settings, tunnelIdleTimeout, settings.maxConnections(), nanoTicker);
    this.inProcess = new InProcessForwarder(settings);
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
      if (endpoint instanceof Endpoint.Http http && client.isUpgrade()) {
        return upgrades.forward(client, http, address(http), upstreamPathAndQuery, responseTimeout,
            e -> upstreamFailure(e, http, responseTimeout, client.requestId()));
      }
      if (endpoint instanceof Endpoint.Http http) {
        return forwardHttp(client, http, upstreamPathAndQuery, responseTimeout, declaredLength);
      }
      if (endpoint instanceof Endpoint.InProcess endpointInProcess) {
        inProcess.forward(client, endpointInProcess.handler(), upstreamPathAndQuery, declaredLength);
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
   * Reads a client's whole request as the function would get it (the body up to the body limit,
   * the headers after the forwarding rules), to run it later: an asynchronous invocation. Blocks.
   *
   * @throws FaasException PAYLOAD_TOO_LARGE over the body limit
   * @throws IOException if the client's body cannot be read
   */
  public dev.faas4j.api.FunctionRequest readRequest(ClientExchange client, String upstreamPathAndQuery)
      throws IOException {
    long declaredLength = client.contentLength();
    if (declaredLength > settings.maxRequestBodyBytes()) {
      throw tooLarge();
    }
    return inProcess.request(client, upstreamPathAndQuery, declaredLength);
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
    upgrades.close();
    upstream.close();
  }

  /** How many upgraded connections (WebSockets) are open now. */
  public int openTunnels() {
    return upgrades.openTunnels();
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
    byte[] head = ForwardingRules.requestHead(client, method, upstreamPathAndQuery, endpoint, hasBody, declaredLength,
        settings.forwardedHeaders());
    boolean async = client.isAsync();
    ProxyExchange exchange =
        new ProxyExchange(client, e -> upstreamFailure(e, endpoint, responseTimeout, client.requestId()));
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

  // ---------------------------------------------------------------------------------------------
  // upstream failures, as the client hears of them

  /**
   * The error to answer an upstream failure with. The client's message says what happened but not
   * where: an instance's address is internal, and function callers need no credentials. The server
   * log has the address (at DEBUG for the refusals an overload makes by the thousand).
   */
  private FaasException upstreamFailure(
      UpstreamException e, Endpoint.Http endpoint, Duration responseTimeout, String requestId) {
    FaasException error = describeUpstreamFailure(e, responseTimeout);
    // on an I/O thread: the request's id goes into the MDC here, for this line
    try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.MDC_KEY, requestId)) {
      if (error.reason() == Reason.UNAVAILABLE || error.reason() == Reason.REQUEST_TIMEOUT) {
        LOG.debug("function instance at {}: {} ({}, request {})", endpoint.baseUri(), error.getMessage(), e.toString(),
            requestId);
      } else {
        LOG.warn("function instance at {}: {} ({}, request {})", endpoint.baseUri(), error.getMessage(), e.toString(),
            requestId);
      }
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
          Reason.UPSTREAM_ERROR, "the function's instance failed: " + e.getMessage(), e);
    };
  }

  private FaasException tooLarge() {
    return tooLarge(settings);
  }

  /** The error a request body over the limit is answered with (413). */
  static FaasException tooLarge(ProxySettings settings) {
    return new FaasException(
        Reason.PAYLOAD_TOO_LARGE,
        "request body is larger than the limit of " + settings.maxRequestBodyBytes()
            + " bytes; send a smaller body or raise the proxy's maxRequestBodyBytes");
  }
}
