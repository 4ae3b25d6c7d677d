package dev.faas4j.core;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.core.internal.async.CallbackGuard;
import dev.faas4j.core.internal.control.Addresses;
import dev.faas4j.core.internal.engine.Settings;
import dev.faas4j.core.internal.proxy.Hops;
import dev.faas4j.core.internal.secrets.Sealer;
import dev.faas4j.core.testing.InMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Configures a {@link Faas}. Each option may be set once; setting one twice fails fast, naming
 * it. Not thread-safe.
 */
public final class FaasBuilder {
  private final Settings settings = new Settings();

  FaasBuilder() {}

  /** Adds a provider; the first one serving a deploy's runtime gets it. At least one is required. */
  public FaasBuilder provider(FunctionProvider provider) {
    if (settings.providers.stream().anyMatch(p -> p == provider)) {
      throw new IllegalStateException("provider " + provider.name() + " was already added");
    }
    settings.providers.add(java.util.Objects.requireNonNull(provider, "provider"));
    return this;
  }

  /** Where functions are kept. Default: an {@link InMemoryStore} (nothing survives a restart). */
  public FaasBuilder store(FunctionStore store) {
    settings.once("store");
    settings.store = java.util.Objects.requireNonNull(store, "store");
    return this;
  }

  /** The domain function hosts live under; default {@code func.local}. */
  public FaasBuilder domain(String domain) {
    settings.once("domain");
    settings.domain = java.util.Objects.requireNonNull(domain, "domain").toLowerCase(java.util.Locale.ROOT);
    return this;
  }

  /**
   * Also route by path: {@code {mountPath}/{name}[@{version|alias}]/rest}, e.g. {@code /fn}.
   * Default: route by Host only.
   */
  public FaasBuilder mountPath(String mountPath) {
    settings.once("mountPath");
    settings.mountPath = java.util.Objects.requireNonNull(mountPath, "mountPath");
    return this;
  }

  /**
   * The port written into access URLs (omitted when 80), with scheme {@code http}. Default: the
   * port of the admin request that asked (see {@link #publicBaseUrl}), else 80.
   */
  public FaasBuilder publicPort(int port) {
    settings.once("publicPort");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("publicPort must be 1-65535, was " + port);
    }
    settings.publicPort = port;
    return this;
  }

  /**
   * Where clients reach this application, e.g. {@code https://app.example.com:8443}: the scheme
   * and port of every {@code accessUrl} (whose host is the function's, under the domain), and the
   * whole base of every {@code pathUrl} (the path form under {@link #mountPath}, e.g. {@code
   * https://app.example.com:8443/fn/hello@v1/}); include the servlet context path if there is one.
   * Default: the scheme, host, port and context path of the admin request that asked; for calls
   * of {@link Faas#deploy} and the like, {@code http} on {@link #publicPort} and no {@code pathUrl}.
   *
   * @throws IllegalArgumentException if it is not an absolute http or https URL with a host
   */
  public FaasBuilder publicBaseUrl(java.net.URI baseUrl) {
    settings.once("publicBaseUrl");
    Addresses.of(settings.domain, null, java.util.Objects.requireNonNull(baseUrl, "publicBaseUrl"), 0); // validates
    settings.publicBaseUrl = baseUrl;
    return this;
  }

  /**
   * How long a version may go without requests before it is frozen (where its provider can) or
   * suspended; default 60s. See {@link #frozenTimeout}.
   */
  public FaasBuilder idleTimeout(Duration idleTimeout) {
    settings.once("idleTimeout");
    settings.idleTimeout = Settings.positive("idleTimeout", idleTimeout);
    return this;
  }

  /**
   * How long a version stays frozen (counted from its last request) before it is terminated; default
   * 15 minutes. After {@link #idleTimeout} a version whose provider can freeze (workerd, Docker: see
   * {@link dev.faas4j.api.Freezing}) is frozen first: paused with its memory kept, and thawed by its
   * next request in milliseconds instead of a start. {@link Duration#ZERO}: no frozen tier, idle
   * versions are terminated at once.
   */
  public FaasBuilder frozenTimeout(Duration frozenTimeout) {
    settings.once("frozenTimeout");
    settings.frozenTimeout = Settings.zeroOrPositive("frozenTimeout", frozenTimeout);
    return this;
  }

  /**
   * The most memory frozen versions may hold together, in bytes; beyond it the least recently used
   * are terminated until the rest fit. Default 512 MiB.
   */
  public FaasBuilder frozenMemoryBudget(long bytes) {
    settings.once("frozenMemoryBudget");
    settings.frozenMemoryBudgetBytes = Settings.atLeast("frozenMemoryBudget", bytes, 0);
    return this;
  }

  /** How long a request waits for a version to start before it gets 503; default 30s. */
  public FaasBuilder startTimeout(Duration startTimeout) {
    settings.once("startTimeout");
    settings.startTimeout = Settings.positive("startTimeout", startTimeout);
    return this;
  }

  /**
   * How often idle versions are suspended and crashed ones noticed; default 1s.
   * {@link Duration#ZERO} runs no background thread: call {@link Faas#suspendIdle()} yourself.
   */
  public FaasBuilder maintenanceInterval(Duration interval) {
    settings.once("maintenanceInterval");
    settings.maintenanceInterval = Settings.zeroOrPositive("maintenanceInterval", interval);
    return this;
  }

  /**
   * How often this node polls the store for changes other nodes made, besides following the
   * store's own notifications; default 500 ms. {@link Duration#ZERO} follows nothing in the
   * background (a single node, or a test applying changes by hand).
   */
  public FaasBuilder syncInterval(Duration interval) {
    settings.once("syncInterval");
    settings.syncInterval = Settings.zeroOrPositive("syncInterval", interval);
    return this;
  }

  /**
   * This node's id in the cluster view ({@link Faas#nodes()}), unique among the nodes sharing the
   * store; default the host name with a random suffix.
   */
  public FaasBuilder nodeId(String nodeId) {
    settings.once("nodeId");
    settings.nodeId = new NodeInfo(nodeId, "", java.time.Instant.EPOCH, java.time.Instant.EPOCH, List.of()).id();
    return this;
  }

  /**
   * How often this node writes its heartbeat to the store (when the store keeps nodes); default
   * 2 s. {@link Duration#ZERO} writes none in the background.
   */
  public FaasBuilder heartbeatInterval(Duration interval) {
    settings.once("heartbeatInterval");
    settings.heartbeatInterval = Settings.zeroOrPositive("heartbeatInterval", interval);
    return this;
  }

  /** How long after its last heartbeat a node is still listed by {@link Faas#nodes()}; default 10 s. */
  public FaasBuilder nodeExpiry(Duration expiry) {
    settings.once("nodeExpiry");
    settings.nodeExpiry = Settings.positive("nodeExpiry", expiry);
    return this;
  }

  /**
   * Whether the latest version of each function is started at deploy and never suspended;
   * default true. When false, every version starts on its first request.
   */
  public FaasBuilder keepLatestWarm(boolean keepLatestWarm) {
    settings.once("keepLatestWarm");
    settings.keepLatestWarm = keepLatestWarm;
    return this;
  }

  /** Whether restored functions' latest versions are started at once (in the background); default false. */
  public FaasBuilder eagerRestore(boolean eagerRestore) {
    settings.once("eagerRestore");
    settings.eagerRestore = eagerRestore;
    return this;
  }

  /** The largest function code accepted, in UTF-8 bytes; default 10 MiB. */
  public FaasBuilder maxCodeBytes(long maxCodeBytes) {
    settings.once("maxCodeBytes");
    if (maxCodeBytes < 1) {
      throw new IllegalArgumentException("maxCodeBytes must be positive");
    }
    settings.maxCodeBytes = maxCodeBytes;
    return this;
  }










  /** The time source for idleness and creation times; default the system UTC clock. */
  public FaasBuilder clock(Clock clock) {
    settings.once("clock");
    settings.clock = java.util.Objects.requireNonNull(clock, "clock");
    return this;
  }


  /**
   * Reports metrics to a Micrometer registry: OpenFaaS's {@code gateway_*} request meters and
   * faas4j's own {@code faas4j_*} ones (the README's "Operating faas4j" lists them). Default: no
   * metrics. Micrometer is an optional dependency of faas-core: without this call it need not be on
   * the class path.
   */
  public FaasBuilder meterRegistry(io.micrometer.core.instrument.MeterRegistry meterRegistry) {
    settings.once("meterRegistry");
    settings.meterRegistry = java.util.Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /**
   * The most function requests this node serves at once, all functions together, so that a flood
   * of slow requests cannot exhaust the JVM; default 10,000. More wait as {@link
   * #maxQueuedRequests} and {@link #queueTimeout} say, then get 429 with {@code Retry-After}.
   * Each version may also limit its own requests with {@code limits.maxConcurrency}.
   */
  public FaasBuilder maxInFlightRequests(int maxInFlightRequests) {
    settings.once("maxInFlightRequests");
    Settings.atLeast("maxInFlightRequests", maxInFlightRequests, 1);
    settings.maxInFlightRequests = maxInFlightRequests;
    return this;
  }

  /**
   * How many requests may wait for a place when a concurrency limit is reached: in the line of
   * each version with {@code maxConcurrency}, and in the line of {@link #maxInFlightRequests};
   * default 100. They are served in arrival order as places free; a request beyond a full line
   * gets 429 with {@code Retry-After} at once. 0: no waiting.
   */
  public FaasBuilder maxQueuedRequests(int maxQueuedRequests) {
    settings.once("maxQueuedRequests");
    if (maxQueuedRequests < 0) {
      throw new IllegalArgumentException("maxQueuedRequests must not be negative, was " + maxQueuedRequests);
    }
    settings.maxQueuedRequests = maxQueuedRequests;
    return this;
  }

  /**
   * How long a request waits in line for a place (see {@link #maxQueuedRequests}) before it gets
   * 429 with {@code Retry-After}; default 5 s. A waiting request holds a thread.
   */
  public FaasBuilder queueTimeout(Duration queueTimeout) {
    settings.once("queueTimeout");
    settings.queueTimeout = Settings.positive("queueTimeout", queueTimeout);
    return this;
  }

  /**
   * The request header whose value keeps a client on one version of a weighted alias (see
   * {@link Faas#setWeights}); default {@code X-Faas4j-Sticky}. Null: no
   * header, only the {@link #stickyCookie}.
   */
  public FaasBuilder stickyHeader(String header) {
    settings.once("stickyHeader");
    settings.stickyHeader = header == null ? null : Settings.token("stickyHeader", header);
    return this;
  }

  /**
   * The cookie whose value keeps a client on one version of a weighted alias when the request
   * has no {@link #stickyHeader}; default {@code faas4j-sticky}. Null: no cookie.
   */
  public FaasBuilder stickyCookie(String cookie) {
    settings.once("stickyCookie");
    settings.stickyCookie = cookie == null ? null : Settings.token("stickyCookie", cookie);
    return this;
  }

  /**
   * The key that encrypts secrets in the store (AES-256-GCM): 32 bytes, e.g. the base64-decoded
   * output of {@code openssl rand -base64 32}. Default: the base64 in the environment variable
   * {@code FAAS4J_SECRET_KEY}; without either, setting a secret is refused (409). Keep it: secrets
   * sealed with one key do not open with another.
   *
   * @throws IllegalArgumentException if it is not 32 bytes
   */
  public FaasBuilder secretKey(byte[] key) {
    settings.once("secretKey");
    settings.sealer = Sealer.of(java.util.Objects.requireNonNull(key, "key"));
    return this;
  }






  /**
   * Sets options of the proxy: timeouts, body and connection limits, forwarded headers, hops. May
   * be called more than once; each option may still be set only once.
   */
  public FaasBuilder proxy(java.util.function.Consumer<ProxyOptions> options) {
    options.accept(new ProxyOptions(settings));
    return this;
  }

  /**
   * Sets options of asynchronous invocations: workers, queue depth, retries, lease, callbacks. May
   * be called more than once; each option may still be set only once.
   */
  public FaasBuilder async(java.util.function.Consumer<AsyncOptions> options) {
    options.accept(new AsyncOptions(settings));
    return this;
  }

  /**
   * Builds and starts the platform: restores every function from the store.
   *
   * @throws IllegalStateException if no provider was added
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  public Faas build() {
    return new Faas(settings.complete());
  }
}
