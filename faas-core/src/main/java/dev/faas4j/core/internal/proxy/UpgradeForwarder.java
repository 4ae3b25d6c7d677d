package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.core.internal.http.UpstreamException;
import dev.faas4j.core.internal.http.UpstreamUpgrade;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Forwards a request that asks to switch protocols (a WebSocket handshake): on a connection of its
 * own, it sends the request upstream with its {@code Connection: Upgrade}, {@code Upgrade} and
 * {@code Sec-WebSocket-*} fields, and when the function answers 101, it passes that answer on and
 * joins the two connections in a {@link Tunnel}. Any other answer (a 400 or 426 from a function
 * that wants no WebSocket there) is passed on as it is, with its body (up to the request body
 * limit).
 *
 * <p>Limits: at most {@code maxTunnels} tunnels are open at once (a request over it is answered 503
 * before anything goes upstream); the connect and response timeouts apply up to the 101; the tunnel
 * then closes after {@code idleTimeout} without a byte in either direction.
 *
 * <p>Thread-safe. {@link #forward} blocks until the function answered the handshake.
 */
final class UpgradeForwarder implements AutoCloseable {

  private final ProxySettings settings;
  private final Duration idleTimeout;
  private final LongSupplier nanoTicker;
  private final int maxTunnels;
  private final Semaphore places;
  private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  UpgradeForwarder(ProxySettings settings, Duration idleTimeout, int maxTunnels, LongSupplier nanoTicker) {
    this.settings = settings;
    this.idleTimeout = ProxySettings.requirePositive(idleTimeout, "tunnelIdleTimeout");
    if (maxTunnels < 1) {
      throw new IllegalArgumentException("maxTunnels must be at least 1, was " + maxTunnels);
    }
    this.maxTunnels = maxTunnels;
    this.places = new Semaphore(maxTunnels);
    this.nanoTicker = nanoTicker;
  }

  /** How many tunnels are open now. */
  int openTunnels() {
    return open.size();
  }

  /**
   * Sends the handshake upstream and answers the client: a tunnel after a 101, else the function's
   * answer. The returned stage completes when the tunnel closed (or at once without one).
   *
   * @throws FaasException before anything was answered: NOT_SUPPORTED where the binding cannot
   *     switch, INVALID_REQUEST for a handshake with a body, UNAVAILABLE over the tunnel limit, and
   *     the upstream's failures as {@code describeUpstreamFailure} names them
   */
  CompletionStage<Void> forward(ClientExchange client, Endpoint.Http endpoint, InetSocketAddress address,
      String upstreamPathAndQuery, Duration responseTimeout,
      Function<UpstreamException, FaasException> describeUpstreamFailure) throws IOException {
    if (!client.canUpgrade()) {
      throw new FaasException(Reason.NOT_SUPPORTED, "this server cannot pass a protocol switch (Upgrade: "
          + client.header(Headers.UPGRADE) + ") on to a function: serve functions with FaasHandler on Jetty 12,"
          + " or with FaasFilter in a servlet container that supports HTTP upgrade");
    }
    if (client.contentLength() != 0 && client.hasBody()) { // clients such as the JDK's send Content-Length: 0
      throw FaasException.invalid("a request that asks to switch protocols must not have a body");
    }
    if (closed || !places.tryAcquire()) {
      throw new FaasException(Reason.UNAVAILABLE, "too many open WebSocket (upgraded) connections: the limit is "
          + maxTunnels + "; try again later");
    }
    boolean placeTaken = true;
    try {
      byte[] head = ForwardingRules.upgradeRequestHead(client, upstreamPathAndQuery, endpoint,
          settings.forwardedHeaders());
      UpstreamUpgrade upstream;
      try {
        upstream = UpstreamUpgrade.open(address, head, settings.connectTimeout(), responseTimeout,
            (int) Math.min(Integer.MAX_VALUE, settings.maxRequestBodyBytes()));
      } catch (UpstreamException e) {
        throw describeUpstreamFailure.apply(e);
      }
      if (!upstream.switched()) {
        client.setStatus(upstream.head().status());
        ForwardingRules.copyResponseHeaders(upstream.head().fields(), client);
        client.setHeader(RequestIds.HEADER, client.requestId());
        client.send(upstream.body());
        return CompletableFuture.completedFuture(null);
      }
      Tunnel tunnel;
      try {
        tunnel = new Tunnel(upstream, idleTimeout, nanoTicker);
      } catch (IOException e) {
        upstream.close();
        throw new FaasException(Reason.UPSTREAM_ERROR, "the function's connection failed after it switched protocols");
      }
      open.add(tunnel);
      placeTaken = false; // the tunnel gives it back
      tunnel.done().whenComplete((ok, failure) -> {
        open.remove(tunnel);
        places.release();
      });
      if (closed) {
        tunnel.close();
      }
      client.setStatus(101);
      ForwardingRules.copyResponseHeaders(upstream.head().fields(), client);
      client.setHeader(Headers.CONNECTION, Headers.UPGRADE);
      String protocol = upgradeOf(upstream);
      client.setHeader(Headers.UPGRADE, protocol != null ? protocol : client.header(Headers.UPGRADE));
      client.setHeader(RequestIds.HEADER, client.requestId());
      try {
        client.upgrade(tunnel);
      } catch (IOException | RuntimeException e) {
        tunnel.close();
        throw e;
      }
      return tunnel.done();
    } finally {
      if (placeTaken) {
        places.release();
      }
    }
  }

  /** Closes every open tunnel; later handshakes are refused. */
  @Override
  public void close() {
    closed = true;
    for (Tunnel tunnel : open) {
      tunnel.close();
    }
  }

  private static String upgradeOf(UpstreamUpgrade upstream) {
    for (var field : upstream.head().fields()) {
      if (field.name().equalsIgnoreCase(Headers.UPGRADE)) {
        return field.value();
      }
    }
    return null;
  }
}
