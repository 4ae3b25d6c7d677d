package dev.faas4j.core.internal.engine;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.internal.async.AsyncSettings;
import dev.faas4j.core.internal.async.CallbackGuard;
import dev.faas4j.core.internal.proxy.Hops;
import dev.faas4j.core.internal.proxy.ProxySettings;
import dev.faas4j.core.internal.proxy.ReverseProxy;
import dev.faas4j.core.internal.routing.Router;
import dev.faas4j.core.internal.routing.TrafficSplitter;
import dev.faas4j.core.internal.runtime.IdlePolicy;
import dev.faas4j.core.internal.secrets.Sealer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code FaasBuilder} was told, with the defaults its javadoc promises. Filled by the builder
 * (which checks each value as it is set, with the checks below), completed from the environment by
 * {@link #complete()}, and read once by {@link Engine}. Not thread-safe; fields are public because
 * this is a record of settings in an internal package, not an API.
 */
public final class Settings {

  /** The options set so far, so that each is set once. */
  private final Set<String> set = new HashSet<>();

  public final List<FunctionProvider> providers = new ArrayList<>();
  public FunctionStore store;
  public String domain = "func.local";
  public String mountPath;
  /** 0: not set. */
  public int publicPort;
  public URI publicBaseUrl;
  public Duration idleTimeout = Duration.ofSeconds(60);
  public Duration frozenTimeout = IdlePolicy.DEFAULT_FROZEN_TIMEOUT;
  public long frozenMemoryBudgetBytes = IdlePolicy.DEFAULT_FROZEN_MEMORY_BUDGET;
  public Duration startTimeout = Duration.ofSeconds(30);
  public Duration maintenanceInterval = Duration.ofSeconds(1);
  public Duration syncInterval = Duration.ofMillis(500);
  public String nodeId;
  public Duration heartbeatInterval = Duration.ofSeconds(2);
  public Duration nodeExpiry = Duration.ofSeconds(10);
  public boolean keepLatestWarm = true;
  public boolean eagerRestore;
  public long maxCodeBytes = 10L << 20;
  public Clock clock = Clock.systemUTC();
  public int maxHops = Hops.DEFAULT_MAX;
  public Duration requestTimeout = Duration.ofSeconds(30);
  public Duration connectTimeout = Duration.ofSeconds(5);
  public long maxRequestBodyBytes = 10L << 20;
  public boolean forwardedHeaders = true;
  public int maxConnections = 1024;
  /** 0: a quarter of {@link #maxConnections}. */
  public int maxConnectionsPerInstance;
  public Duration clientStallTimeout = ProxySettings.DEFAULT_CLIENT_STALL_TIMEOUT;
  public Duration tunnelIdleTimeout = ReverseProxy.DEFAULT_TUNNEL_IDLE_TIMEOUT;
  public long minClientBytesPerSecond = ProxySettings.DEFAULT_MIN_CLIENT_BYTES_PER_SECOND;
  public int maxInFlightRequests = 10_000;
  public int maxQueuedRequests = 100;
  public Duration queueTimeout = Duration.ofSeconds(5);
  public String stickyHeader = TrafficSplitter.DEFAULT_STICKY_HEADER;
  public String stickyCookie = TrafficSplitter.DEFAULT_STICKY_COOKIE;
  /** A Micrometer MeterRegistry, typed Object so that faas-core runs without Micrometer on the class path. */
  public Object meterRegistry;
  /** Null: no secret key, so setting a secret is refused. */
  public Sealer sealer;
  public int asyncWorkers = 4;
  public int asyncQueueDepth = 10_000;
  public int asyncMaxAttempts = 5;
  public Duration asyncFirstBackoff = Duration.ofSeconds(1);
  public Duration asyncMaxBackoff = Duration.ofMinutes(5);
  /** Null: the request timeout plus 30 s. */
  public Duration asyncLease;
  public List<String> callbackAllow = List.of();

  /** Marks {@code option} as set. @throws IllegalStateException if it was set before */
  public void once(String option) {
    if (!set.add(option)) {
      throw new IllegalStateException(option + " was already set");
    }
  }

  /** @throws IllegalArgumentException unless {@code value} is above zero */
  public static Duration positive(String option, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException if {@code value} is null or negative */
  public static Duration zeroOrPositive(String option, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(option + " must be zero or positive, was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException if {@code value} is below {@code min} */
  public static long atLeast(String option, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException unless {@code value} is an HTTP token (a header or cookie name) */
  public static String token(String option, String value) {
    if (!value.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      throw new IllegalArgumentException(option + " must be a header or cookie name (an HTTP token), was '"
          + value + "'");
    }
    return value;
  }

  /**
   * Takes what was not set from the environment ({@code FAAS4J_CALLBACK_ALLOW}, {@code
   * FAAS4J_SECRET_KEY}) and checks the whole.
   *
   * @throws IllegalStateException if no provider was added
   * @throws IllegalArgumentException for a bad value in the environment, or a bad domain or mount path
   */
  public Settings complete() {
    if (!set.contains("async.callbackAllow")) {
      String fromEnv = System.getenv("FAAS4J_CALLBACK_ALLOW");
      callbackAllow = fromEnv == null || fromEnv.isBlank() ? List.of() : List.of(fromEnv.trim().split("\\s*,\\s*"));
      new CallbackGuard(callbackAllow); // a bad entry fails the build, naming it
    }
    if (!set.contains("secretKey")) {
      String fromEnv = System.getenv(Sealer.KEY_ENV);
      sealer = fromEnv == null || fromEnv.isBlank() ? null : Sealer.ofBase64(fromEnv, Sealer.KEY_ENV);
    }
    if (providers.isEmpty()) {
      throw new IllegalStateException("no provider: add one with provider(...), e.g. WorkerdProvider.builder().build()");
    }
    new Router(domain, mountPath); // validates both
    return this;
  }

  ProxySettings proxySettings() {
    return new ProxySettings(connectTimeout, requestTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders,
        maxConnectionsPerInstance, clientStallTimeout, minClientBytesPerSecond);
  }

  AsyncSettings asyncSettings() {
    Duration lease = asyncLease != null ? asyncLease : requestTimeout.plusSeconds(30);
    return new AsyncSettings(asyncWorkers, asyncQueueDepth, asyncMaxAttempts, asyncFirstBackoff, asyncMaxBackoff,
        lease, Duration.ofMillis(500), Duration.ofDays(1), new CallbackGuard(callbackAllow));
  }
}
