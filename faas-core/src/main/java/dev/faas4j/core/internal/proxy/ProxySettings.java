package dev.faas4j.core.internal.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable settings of a {@link ReverseProxy}. Validated when constructed: an invalid value fails
 * with an {@link IllegalArgumentException} (or {@link NullPointerException} for a missing one) that
 * names the setting. Thread-safe, like every record of immutable values.
 *
 * @param connectTimeout how long to wait for a TCP connection to a function instance (and for a
 *     free connection in the pool); default 5 s
 * @param responseTimeout how long the upstream may stay silent, before its response head and
 *     between body reads, before the request fails with 504; default 30 s. A single request may
 *     override it (see {@link ReverseProxy#forward}).
 * @param maxRequestBodyBytes the largest request body forwarded; a larger one is answered with 413;
 *     default 10 MiB
 * @param maxConnections the most connections open to upstreams at once, over all function
 *     instances; default 1024
 * @param forwardedHeaders whether functions are told who called them: {@code X-Forwarded-For}
 *     (the client's address appended), {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}; default
 *     true. When false these headers are neither added nor passed on from the client, so a function
 *     learns nothing of the client's address (each one also costs workerd about 1 µs per request).
 * @param maxConnectionsPerInstance the most of those connections one function instance (one
 *     upstream address) may hold, so that the callers of one function cannot take the connections
 *     every other function needs; a request over it waits for one of that instance's connections
 *     (at most this many requests wait, each at most the connect timeout) and is otherwise answered
 *     503. 0, the default, means a quarter of {@code maxConnections} (at least 1)
 * @param clientStallTimeout how long the proxy waits on a client that stalls: while the function
 *     waits for more of the request body, or the client does not take the answer as fast as it
 *     comes, the client must move at least {@code minClientBytesPerSecond} times this duration's
 *     seconds (at least one byte) within each such period, or the exchange ends (408 when nothing
 *     was answered yet, else the client's connection is aborted) and its upstream connection is
 *     freed; default 30 s
 * @param minClientBytesPerSecond the lowest rate, in bytes per second, a client may send its body
 *     or read its answer at while the proxy waits on it, averaged over each {@code
 *     clientStallTimeout}; 0 only asks for one byte per period; default 1024
 */
public record ProxySettings(
    Duration connectTimeout,
    Duration responseTimeout,
    long maxRequestBodyBytes,
    int maxConnections,
    boolean forwardedHeaders,
    int maxConnectionsPerInstance,
    Duration clientStallTimeout,
    long minClientBytesPerSecond) {

  /** Default {@link #connectTimeout()}: 5 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@link #responseTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@link #maxRequestBodyBytes()}: 10 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 10L * 1024 * 1024;
  /** Default {@link #maxConnections()}: 1024. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  /** Default {@link #clientStallTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_CLIENT_STALL_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@link #minClientBytesPerSecond()}: 1 KiB/s. */
  public static final long DEFAULT_MIN_CLIENT_BYTES_PER_SECOND = 1024;

  public ProxySettings {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(responseTimeout, "responseTimeout");
    if (maxRequestBodyBytes < 0) {
      throw new IllegalArgumentException(
          "maxRequestBodyBytes must be 0 or more (bytes), was " + maxRequestBodyBytes);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
    }
    if (maxConnectionsPerInstance < 0) {
      throw new IllegalArgumentException(
          "maxConnectionsPerInstance must be 0 (a quarter of maxConnections) or more, was "
              + maxConnectionsPerInstance);
    }
    requirePositive(clientStallTimeout, "clientStallTimeout");
    if (minClientBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "minClientBytesPerSecond must be 0 or more (bytes per second), was " + minClientBytesPerSecond);
    }
  }

  /**
   * The settings of earlier releases: each instance may hold a quarter of the connections, and
   * clients must keep up the default rate.
   */
  public ProxySettings(
      Duration connectTimeout,
      Duration responseTimeout,
      long maxRequestBodyBytes,
      int maxConnections,
      boolean forwardedHeaders) {
    this(connectTimeout, responseTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders, 0,
        DEFAULT_CLIENT_STALL_TIMEOUT, DEFAULT_MIN_CLIENT_BYTES_PER_SECOND);
  }

  /** {@link #maxConnectionsPerInstance()} as applied: 0 resolved to a quarter of the total. */
  public int connectionsPerInstance() {
    int perInstance = maxConnectionsPerInstance == 0 ? maxConnections / 4 : maxConnectionsPerInstance;
    return Math.max(1, Math.min(perInstance, maxConnections));
  }

  /** The bytes a stalled client must move within each {@link #clientStallTimeout()}: at least 1. */
  long minClientBytesPerStall() {
    long perPeriod = (long) (minClientBytesPerSecond * (clientStallTimeout.toNanos() / 1e9));
    return Math.max(1, perPeriod);
  }

  /**
   * The defaults: 5 s connect, 30 s response, 10 MiB body, 1024 connections (256 per instance),
   * X-Forwarded-* on, clients cut when they move under 1 KiB/s for 30 s.
   */
  public static ProxySettings defaults() {
    return new ProxySettings(
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_RESPONSE_TIMEOUT,
        DEFAULT_MAX_REQUEST_BODY_BYTES,
        DEFAULT_MAX_CONNECTIONS,
        true);
  }

  /** A copy with another connect timeout. */
  public ProxySettings withConnectTimeout(Duration value) {
    return new ProxySettings(
        value, responseTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders, maxConnectionsPerInstance, clientStallTimeout, minClientBytesPerSecond);
  }

  /** A copy with another response timeout. */
  public ProxySettings withResponseTimeout(Duration value) {
    return new ProxySettings(
        connectTimeout, value, maxRequestBodyBytes, maxConnections, forwardedHeaders, maxConnectionsPerInstance, clientStallTimeout, minClientBytesPerSecond);
  }

  /** A copy with another request body limit. */
  public ProxySettings withMaxRequestBodyBytes(long value) {
    return new ProxySettings(
        connectTimeout, responseTimeout, value, maxConnections, forwardedHeaders, maxConnectionsPerInstance, clientStallTimeout, minClientBytesPerSecond);
  }

  /** A copy with another connection limit. */
  public ProxySettings withMaxConnections(int value) {
    return new ProxySettings(
        connectTimeout, responseTimeout, maxRequestBodyBytes, value, forwardedHeaders, maxConnectionsPerInstance, clientStallTimeout, minClientBytesPerSecond);
  }

  /** A copy that does, or does not, tell functions who called them (X-Forwarded-*). */
  public ProxySettings withForwardedHeaders(boolean value) {
    return new ProxySettings(
        connectTimeout, responseTimeout, maxRequestBodyBytes, maxConnections, value, maxConnectionsPerInstance, clientStallTimeout, minClientBytesPerSecond);
  }

  /** A copy with another per-instance connection budget (0: a quarter of {@link #maxConnections()}). */
  public ProxySettings withMaxConnectionsPerInstance(int value) {
    return new ProxySettings(
        connectTimeout, responseTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders, value, clientStallTimeout, minClientBytesPerSecond);
  }

  /** A copy with another stall period for clients. */
  public ProxySettings withClientStallTimeout(Duration value) {
    return new ProxySettings(
        connectTimeout, responseTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders, maxConnectionsPerInstance, value, minClientBytesPerSecond);
  }

  /** A copy with another minimum rate for clients. */
  public ProxySettings withMinClientBytesPerSecond(long value) {
    return new ProxySettings(
        connectTimeout, responseTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders, maxConnectionsPerInstance, clientStallTimeout, value);
  }

  static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, () -> name + " must be set (a positive duration)");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
    }
    if (value.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(name + " must be at most one day, was " + value);
    }
    return value;
  }
}
