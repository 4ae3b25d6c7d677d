package dev.faas4j.core;

import dev.faas4j.core.internal.engine.Settings;
import dev.faas4j.core.internal.proxy.Hops;
import java.time.Duration;

/**
 * The proxy's options: how long a function and a client may take, how large a request may be, how
 * many connections faas4j keeps to instances, and what it tells functions about their callers. Set
 * them in {@link FaasBuilder#proxy}:
 *
 * <pre>{@code
 * Faas.builder()
 *     .provider(provider)
 *     .proxy(proxy -> proxy.requestTimeout(Duration.ofSeconds(10)).maxRequestBodyBytes(1 << 20))
 *     .build();
 * }</pre>
 *
 * Each option may be set once, like those of the builder. Not thread-safe.
 */
public final class ProxyOptions {
  private final Settings settings;

  ProxyOptions(Settings settings) {
    this.settings = settings;
  }

  /** How long a function may take to start answering before the client gets 504; default 30s. */
  public ProxyOptions requestTimeout(Duration requestTimeout) {
    settings.once("proxy.requestTimeout");
    settings.requestTimeout = Settings.positive("proxy.requestTimeout", requestTimeout);
    return this;
  }
  /** How long connecting to an instance may take before the client gets 504; default 5s. */
  public ProxyOptions connectTimeout(Duration connectTimeout) {
    settings.once("proxy.connectTimeout");
    settings.connectTimeout = Settings.positive("proxy.connectTimeout", connectTimeout);
    return this;
  }
  /** The largest request body forwarded to a function; default 10 MiB; larger gets 413. */
  public ProxyOptions maxRequestBodyBytes(long maxRequestBodyBytes) {
    settings.once("proxy.maxRequestBodyBytes");
    if (maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException("proxy.maxRequestBodyBytes must not be negative");
    }
    settings.maxRequestBodyBytes = maxRequestBodyBytes;
    return this;
  }
  /** The most connections kept open to instances; default 1024. */
  public ProxyOptions maxConnections(int maxConnections) {
    settings.once("proxy.maxConnections");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("proxy.maxConnections must be positive");
    }
    settings.maxConnections = maxConnections;
    return this;
  }
  /**
   * The most connections one function instance may hold, so that one function's callers cannot
   * take the connections every other function needs; default a quarter of {@link
   * #maxConnections} (256). A request over it waits up to the connect timeout for one of that
   * instance's connections (at most this many wait), then gets 503.
   */
  public ProxyOptions maxConnectionsPerInstance(int maxConnectionsPerInstance) {
    settings.once("proxy.maxConnectionsPerInstance");
    if (maxConnectionsPerInstance < 1) {
      throw new IllegalArgumentException("proxy.maxConnectionsPerInstance must be positive");
    }
    settings.maxConnectionsPerInstance = maxConnectionsPerInstance;
    return this;
  }
  /**
   * How long a client may stall while a function waits on it (for more of the request body, or
   * for the client to take the answer) before the exchange ends with 408, or with an aborted
   * connection once the answer started; default 30 s. Within each such period the client must
   * move {@link #minClientBytesPerSecond} times its seconds.
   */
  public ProxyOptions clientStallTimeout(Duration clientStallTimeout) {
    settings.once("proxy.clientStallTimeout");
    settings.clientStallTimeout = Settings.positive("proxy.clientStallTimeout", clientStallTimeout);
    return this;
  }
  /**
   * The lowest rate, in bytes per second, at which a client may send its body or read its answer
   * while the function waits on it, averaged over each {@link #clientStallTimeout}; default 1024.
   * 0 only asks for one byte per period.
   */
  public ProxyOptions minClientBytesPerSecond(long minClientBytesPerSecond) {
    settings.once("proxy.minClientBytesPerSecond");
    if (minClientBytesPerSecond < 0) {
      throw new IllegalArgumentException("proxy.minClientBytesPerSecond must not be negative");
    }
    settings.minClientBytesPerSecond = minClientBytesPerSecond;
    return this;
  }
  /**
   * How long a WebSocket (or any upgraded connection) tunnelled to a function may pass no byte in
   * either direction before both ends are closed; default 5 minutes. Open tunnels count against
   * {@link #maxConnections}, and are reported as {@code faas4j_tunnels_open}.
   */
  public ProxyOptions tunnelIdleTimeout(Duration tunnelIdleTimeout) {
    settings.once("proxy.tunnelIdleTimeout");
    settings.tunnelIdleTimeout = Settings.positive("proxy.tunnelIdleTimeout", tunnelIdleTimeout);
    return this;
  }
  /**
   * Whether functions are told who called them, with {@code X-Forwarded-For} (the client's
   * address appended to any the client sent), {@code X-Forwarded-Proto} and {@code
   * X-Forwarded-Host}; default true. With false, faas4j neither adds these headers nor passes on
   * the client's own: functions learn nothing of the client's address. workerd spends about 1 µs
   * per request on each header, which is measurable for tiny functions (see bench/README.md).
   */
  public ProxyOptions forwardedHeaders(boolean forwardedHeaders) {
    settings.once("proxy.forwardedHeaders");
    settings.forwardedHeaders = forwardedHeaders;
    return this;
  }
  /**
   * How many times one request may be forwarded to functions, counted in the {@value
   * Hops#HEADER} request header that faas4j sends every function (the count it received plus
   * one); default {@value Hops#DEFAULT_MAX}. A request that arrives with the limit or more is
   * refused with 508 Loop Detected before anything is forwarded, which ends a function that calls
   * itself through faas4j, provided it passes the header on (a function that drops it starts again
   * from 0; the network policy is what keeps an untrusted function from calling faas4j at all).
   *
   * @throws IllegalArgumentException if {@code maxHops} is less than 1
   */
  public ProxyOptions maxHops(int maxHops) {
    settings.once("proxy.maxHops");
    Settings.atLeast("proxy.maxHops", maxHops, 1);
    settings.maxHops = maxHops;
    return this;
  }
}
