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
 * @param maxConnections the most connections open to upstreams at once, in total and per function
 *     instance; default 200
 * @param forwardedHeaders whether functions are told who called them: {@code X-Forwarded-For}
 *     (the client's address appended), {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}; default
 *     true. When false these headers are neither added nor passed on from the client, so a function
 *     learns nothing of the client's address (each one also costs workerd about 1 µs per request).
 */
public record ProxySettings(
    Duration connectTimeout,
    Duration responseTimeout,
    long maxRequestBodyBytes,
    int maxConnections,
    boolean forwardedHeaders) {

  /** Default {@link #connectTimeout()}: 5 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@link #responseTimeout()}: 30 seconds. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@link #maxRequestBodyBytes()}: 10 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 10L * 1024 * 1024;
  /** Default {@link #maxConnections()}: 200. */
  public static final int DEFAULT_MAX_CONNECTIONS = 200;

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
  }

  /** The defaults: 5 s connect, 30 s response, 10 MiB body, 200 connections, X-Forwarded-* on. */
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
    return new ProxySettings(value, responseTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders);
  }

  /** A copy with another response timeout. */
  public ProxySettings withResponseTimeout(Duration value) {
    return new ProxySettings(connectTimeout, value, maxRequestBodyBytes, maxConnections, forwardedHeaders);
  }

  /** A copy with another request body limit. */
  public ProxySettings withMaxRequestBodyBytes(long value) {
    return new ProxySettings(connectTimeout, responseTimeout, value, maxConnections, forwardedHeaders);
  }

  /** A copy with another connection limit. */
  public ProxySettings withMaxConnections(int value) {
    return new ProxySettings(connectTimeout, responseTimeout, maxRequestBodyBytes, value, forwardedHeaders);
  }

  /** A copy that does, or does not, tell functions who called them (X-Forwarded-*). */
  public ProxySettings withForwardedHeaders(boolean value) {
    return new ProxySettings(connectTimeout, responseTimeout, maxRequestBodyBytes, maxConnections, value);
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
