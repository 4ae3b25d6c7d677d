package dev.faas4j.spring.boot.internal;

import dev.faas4j.core.AsyncOptions;
import dev.faas4j.core.FaasBuilder;
import dev.faas4j.spring.boot.FaasAsyncProperties;
import dev.faas4j.spring.boot.FaasProperties;
import dev.faas4j.spring.boot.FaasTrafficProperties;
import java.time.Duration;
import java.util.Base64;

/**
 * Hands the {@code faas4j.traffic.*}, {@code faas4j.async.*} and {@code faas4j.secret-key}
 * properties to the builder. Only those that are set: the rest keep the builder's defaults, and a
 * customizer may set them (the builder refuses an option set twice). Stateless.
 */
public final class TrafficSettings {

  private TrafficSettings() {}

  /**
   * Sets every property that is set on {@code builder}.
   *
   * @throws IllegalArgumentException naming the property, for a value the builder refuses
   */
  public static void apply(FaasProperties properties, FaasBuilder builder) {
    FaasTrafficProperties traffic = properties.getTraffic();
    if (traffic.getMaxInFlight() != null) {
      builder.maxInFlightRequests(traffic.getMaxInFlight());
    }
    if (traffic.getMaxQueued() != null) {
      builder.maxQueuedRequests(traffic.getMaxQueued());
    }
    if (traffic.getQueueTimeout() != null) {
      builder.queueTimeout(traffic.getQueueTimeout());
    }
    if (traffic.getStickyHeader() != null) {
      builder.stickyHeader(traffic.getStickyHeader().isEmpty() ? null : traffic.getStickyHeader());
    }
    if (traffic.getStickyCookie() != null) {
      builder.stickyCookie(traffic.getStickyCookie().isEmpty() ? null : traffic.getStickyCookie());
    }
    builder.async(options -> applyAsync(properties.getAsync(), options));
    if (properties.getSecretKey() != null && !properties.getSecretKey().isBlank()) {
      byte[] key;
      try {
        key = Base64.getDecoder().decode(properties.getSecretKey().strip());
      } catch (IllegalArgumentException e) {
        key = new byte[0];
      }
      if (key.length != 32) {
        // never echo the value: it is (meant to be) a key
        throw new IllegalArgumentException("faas4j.secret-key must be the base64 of 32 bytes, as"
            + " `openssl rand -base64 32` prints it");
      }
      builder.secretKey(key);
    }
  }

  private static void applyAsync(FaasAsyncProperties async, AsyncOptions options) {
    if (async.getWorkers() != null) {
      options.workers(async.getWorkers());
    }
    if (async.getQueueDepth() != null) {
      options.queueDepth(async.getQueueDepth());
    }
    if (async.getMaxAttempts() != null || async.getFirstBackoff() != null || async.getMaxBackoff() != null) {
      options.retries(async.getMaxAttempts() != null ? async.getMaxAttempts() : 5,
          async.getFirstBackoff() != null ? async.getFirstBackoff() : Duration.ofSeconds(1),
          async.getMaxBackoff() != null ? async.getMaxBackoff() : Duration.ofMinutes(5));
    }
    if (async.getLease() != null) {
      options.lease(async.getLease());
    }
    if (!async.getCallbackAllow().isEmpty()) {
      options.callbackAllow(async.getCallbackAllow().toArray(String[]::new));
    }
  }
}
