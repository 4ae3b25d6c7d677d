package dev.faas4j.core;

import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.async.CallbackGuard;
import dev.faas4j.core.internal.control.Addresses;
import dev.faas4j.core.internal.control.Deployed;
import dev.faas4j.core.internal.control.FunctionService;
import dev.faas4j.core.internal.control.FunctionView;
import dev.faas4j.core.internal.control.VersionView;
import dev.faas4j.core.internal.engine.Engine;
import dev.faas4j.core.internal.engine.Settings;
import dev.faas4j.core.internal.proxy.Hops;
import dev.faas4j.core.internal.routing.FunctionTraffic;
import dev.faas4j.core.internal.secrets.Sealer;
import dev.faas4j.core.internal.secrets.Secrets;
import dev.faas4j.core.testing.InMemoryStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An embedded functions-as-a-service platform: the one entry point of faas4j.
 *
 * <p>Build one with {@link #builder()}, giving it at least one {@link FunctionProvider}; mount
 * {@link FaasFilter} (function traffic) and {@link FaasAdminServlet} (the admin API) in a servlet
 * container, or call the methods below directly. Every version ever deployed is kept until it is
 * deleted; versions are immutable; the latest version and aliases are pointers that move.
 *
 * <pre>{@code
 * Faas faas = Faas.builder()
 *     .provider(WorkerdProvider.builder().dataDir(dir).build())
 *     .store(JdbcFunctionStore.sqlite(dir.resolve("faas.db")))
 *     .domain("func.local")
 *     .build();
 * faas.deploy(FunctionSpec.builder("hello").version("v1").code(script).build(), "test");
 * }</pre>
 *
 * <p>Thread-safe. Changes to one function are serialised; changes to different functions run in
 * parallel. Every method that changes state commits to the store before it returns, and changes
 * nothing when it throws. Failures are {@link FaasException}s whose {@link FaasException#reason()}
 * maps to an HTTP status. {@link #close()} stops every instance and closes the providers and the
 * store it was given.
 */
public final class Faas implements AutoCloseable {

  private final Engine engine;
  private final FunctionService functions;
  private final String domain;

  private Faas(Settings settings) {
    this.engine = new Engine(settings);
    this.functions = engine.functions();
    this.domain = settings.domain;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Changes

  /** A fresh version name: unique in this JVM, sortable in deploy order, a DNS label. */
  public String newVersion() {
    return functions.newVersion();
  }

  /**
   * Deploys a version and makes it the latest once it is ready; the previous latest serves until
   * then. Deploying a version that exists with an equal definition is idempotent (it becomes the
   * latest again and gets the alias); with a different definition it is a conflict.
   *
   * @param spec the version; its runtime must be served by a configured provider
   * @param alias an alias to point at the version, or null/empty for none
   * @throws FaasException INVALID_REQUEST (bad input), CONFLICT (version exists with other code, or
   *     a name clash between an alias and a version), INVALID_FUNCTION (the provider refused the
   *     code or image, or it did not start), PAYLOAD_TOO_LARGE (code over the limit), UNAVAILABLE
   *     (the store is down)
   */
  public Deployment deploy(FunctionSpec spec, String alias) {
    return deployment(functions.deploy(spec, alias));
  }

  /**
   * Points the latest pointer at a kept version (and optionally an alias too), starting it first
   * when the latest is kept warm.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version
   */
  public Deployment rollback(String name, String version, String alias) {
    return deployment(functions.rollback(name, version, alias));
  }

  /**
   * Creates an alias or moves it to another version.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version, CONFLICT if the alias has
   *     the name of a version
   */
  public Deployment setAlias(String name, String alias, String version) {
    return deployment(functions.setAlias(name, alias, version));
  }

  /**
   * Creates an alias, or changes one, that splits its traffic among versions by weight: with
   * {@code Map.of("v1", 90, "v2", 10)} nine requests in ten to the alias go to v1. A request with a
   * sticky key (see {@link Builder#stickyHeader}) stays on one version while the weights stay the
   * same. Versions with weight above 0 are started first and kept warm when the latest is. Setting
   * the alias to one version with {@link #setAlias} ends the split. The bare host (the latest) is
   * never split.
   *
   * @param weights version to weight: whole numbers from 0 to 1,000,000, at most 5
   *     versions ({@link dev.faas4j.api.TrafficSplit}), adding up to more than 0
   * @return the alias with its weights, sorted by version name
   * @throws FaasException INVALID_REQUEST for bad weights, NOT_FOUND for an unknown function or
   *     version, CONFLICT if the alias has the name of a version
   */
  public Map<String, Integer> setWeights(String name, String alias, Map<String, Integer> weights) {
    return functions.setWeights(name, alias, weights).split().weights();
  }

  /** Removes an alias. @throws FaasException NOT_FOUND if there is no such alias */
  public void removeAlias(String name, String alias) {
    functions.removeAlias(name, alias);
  }

  /**
   * Stops a version's instances. It stays deployed: the next request to it starts it again.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version
   */
  public void stop(String name, String version) {
    functions.stop(name, version);
  }

  /**
   * Deletes one version. A version the latest pointer or an alias points at is refused unless
   * {@code force}; forced, its aliases go with it and the latest moves to the newest remaining
   * version. Deleting the only version deletes the function.
   *
   * @throws FaasException NOT_FOUND, or CONFLICT when the version is in use and not forced
   */
  public void deleteVersion(String name, String version, boolean force) {
    functions.deleteVersion(name, version, force);
  }

  /** Deletes a function with every version and alias. @throws FaasException NOT_FOUND */
  public void deleteFunction(String name) {
    functions.deleteFunction(name);
  }

  /**
   * Creates or replaces a secret of a function (deployed or not): a value it reads like an env var
   * (a secret wins over an env var of the same name), stored encrypted and never shown back. The
   * function's running versions get the new value without a redeploy: on a provider that can (see
   * {@link dev.faas4j.api.EnvUpdates}), a fresh instance takes over once ready and the old one drains.
   *
   * @return the versions running here that now see the value
   * @throws FaasException INVALID_REQUEST (bad name or empty value), CONFLICT (no secret key: see
   *     {@link Builder#secretKey}), NOT_SUPPORTED (the store keeps no secrets), UNAVAILABLE
   */
  public List<String> setSecret(String name, String key, String value) {
    engine.lifecycle().checkOpen();
    return engine.secrets().put(name, key, value);
  }

  /** Deletes a secret; running versions lose it as {@link #setSecret} describes. @throws FaasException NOT_FOUND */
  public List<String> deleteSecret(String name, String key) {
    engine.lifecycle().checkOpen();
    return engine.secrets().delete(name, key);
  }

  /** The names of a function's secrets, sorted; never their values. */
  public List<String> secretNames(String name) {
    return engine.secrets().names(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  /**
   * Calls a function from this JVM, without HTTP: the request takes the same path as function
   * traffic (a sleeping version is started, the hop count, body limit and timeouts apply) and the
   * function's whole answer is returned, whatever its status. Blocks until the answer is complete.
   * The function sees the request as coming from 127.0.0.1, with {@code Host} set to its own host
   * ({@code v1.hello.func.local}) unless the request has one.
   *
   * <pre>{@code
   * FunctionResponse answer = faas.invoke("hello", "v1", FunctionRequest.get("/greet?name=Ada"));
   * }</pre>
   *
   * @param name the function
   * @param versionOrAlias a version or alias; null or empty for the latest version
   * @throws FaasException INVALID_REQUEST (a name that is not a DNS label), NOT_FOUND (unknown
   *     function, version or alias), LOOP_DETECTED (too many hops), PAYLOAD_TOO_LARGE,
   *     TOO_MANY_REQUESTS (a concurrency limit and its line are full), UNAVAILABLE (cannot start,
   *     shut down), UPSTREAM_ERROR, UPSTREAM_TIMEOUT
   */
  public FunctionResponse invoke(String name, String versionOrAlias, FunctionRequest request) {
    return engine.invoker().invoke(name, versionOrAlias, request);
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** Every function, sorted by name. */
  public List<FunctionInfo> list() {
    return functions.list().stream().map(Faas::info).toList();
  }

  /** One function with the state of each version. @throws FaasException NOT_FOUND */
  public FunctionInfo describe(String name) {
    return info(functions.describe(name));
  }

  /**
   * The recent output of a version's instances, if its provider keeps logs.
   *
   * @throws FaasException NOT_FOUND for an unknown version, NOT_SUPPORTED if the provider has no logs
   */
  public List<String> logs(String name, String version, int maxLines) {
    return functions.logs(name, version, maxLines);
  }

  /**
   * Runs one maintenance pass now: suspends versions idle for longer than the idle timeout (the
   * latest versions excepted when they are kept warm) and notices instances that exited on their
   * own. The builder's {@code maintenanceInterval} runs this periodically.
   *
   * @return the versions suspended by this pass
   */
  public List<FunctionRef> suspendIdle() {
    return engine.maintenance().runOnce();
  }

  /**
   * Applies now every change other nodes committed to the shared store; the builder's
   * {@code syncInterval} does this in the background.
   *
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  void syncWithStore() {
    engine.follower().sync();
  }

  /**
   * The nodes sharing this node's store that wrote a heartbeat within the builder's
   * {@code nodeExpiry}, sorted by id; this node alone if the store keeps no nodes.
   *
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  public List<NodeInfo> nodes() {
    return functions.nodes();
  }

  /** Writes this node's heartbeat now; the builder's {@code heartbeatInterval} does it in the background. */
  void heartbeatNow() {
    engine.heartbeat().beat();
  }

  /** The domain function hosts live under. */
  public String domain() {
    return domain;
  }

  // ---------------------------------------------------------------------------------------------
  // For FaasFilter, FaasHandler and FaasAdminServlet

  /** The request path: routing, then instances, then the proxy. */
  FunctionTraffic traffic() {
    return engine.traffic();
  }

  /** The control plane, for the admin API. */
  FunctionService functions() {
    return functions;
  }

  /** Asynchronous invocations, for FaasFilter, FaasHandler and the admin API. */
  AsyncCalls async() {
    return engine.async();
  }

  /**
   * An asynchronous invocation accepted by any node sharing the store, with its state, attempts
   * and, once it ran, the function's answer.
   *
   * @throws FaasException NOT_FOUND for an unknown call (finished calls are kept a day)
   */
  public AsyncCall asyncCall(String id) {
    return engine.async().find(id);
  }

  /** The secrets, for the admin API. */
  Secrets secrets() {
    return engine.secrets();
  }

  private static Deployment deployment(Deployed d) {
    return new Deployment(d.name(), d.version(), d.alias(), d.subdomain(), d.accessUrl(), d.pathUrl());
  }

  private static FunctionInfo info(FunctionView view) {
    List<VersionInfo> versions = new ArrayList<>();
    for (VersionView v : view.versions()) {
      versions.add(new VersionInfo(v.version().version(), v.version().spec().runtime(), v.version().createdAt(),
          v.latest(), v.aliases(), v.status().state(), v.status().detail(), v.activeRequests(), v.subdomain(),
          v.accessUrl()));
    }
    FunctionState state = view.state();
    Map<String, Map<String, Integer>> weights = new java.util.TreeMap<>();
    state.splits().forEach((alias, split) -> weights.put(alias, split.weights()));
    return new FunctionInfo(state.name(), state.latest(), state.aliases(), state.revision(), versions,
        java.util.Collections.unmodifiableMap(weights));
  }

  /**
   * Stops every instance, then closes the proxy, the providers and the store. Idempotent.
   */
  @Override
  public void close() {
    engine.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Builder

  /**
   * Configures a {@link Faas}. Each option may be set once; setting one twice fails fast, naming
   * it. Not thread-safe.
   */
  public static final class Builder {
    private final Settings settings = new Settings();

    private Builder() {}

    /** Adds a provider; the first one serving a deploy's runtime gets it. At least one is required. */
    public Builder provider(FunctionProvider provider) {
      if (settings.providers.stream().anyMatch(p -> p == provider)) {
        throw new IllegalStateException("provider " + provider.name() + " was already added");
      }
      settings.providers.add(java.util.Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Where functions are kept. Default: an {@link InMemoryStore} (nothing survives a restart). */
    public Builder store(FunctionStore store) {
      settings.once("store");
      settings.store = java.util.Objects.requireNonNull(store, "store");
      return this;
    }

    /** The domain function hosts live under; default {@code func.local}. */
    public Builder domain(String domain) {
      settings.once("domain");
      settings.domain = java.util.Objects.requireNonNull(domain, "domain").toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /**
     * Also route by path: {@code {mountPath}/{name}[@{version|alias}]/rest}, e.g. {@code /fn}.
     * Default: route by Host only.
     */
    public Builder mountPath(String mountPath) {
      settings.once("mountPath");
      settings.mountPath = java.util.Objects.requireNonNull(mountPath, "mountPath");
      return this;
    }

    /**
     * The port written into access URLs (omitted when 80), with scheme {@code http}. Default: the
     * port of the admin request that asked (see {@link #publicBaseUrl}), else 80.
     */
    public Builder publicPort(int port) {
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
    public Builder publicBaseUrl(java.net.URI baseUrl) {
      settings.once("publicBaseUrl");
      Addresses.of(settings.domain, null, java.util.Objects.requireNonNull(baseUrl, "publicBaseUrl"), 0); // validates
      settings.publicBaseUrl = baseUrl;
      return this;
    }

    /** How long a version may go without requests before it is suspended; default 60s. */
    public Builder idleTimeout(Duration idleTimeout) {
      settings.once("idleTimeout");
      settings.idleTimeout = Settings.positive("idleTimeout", idleTimeout);
      return this;
    }

    /** How long a request waits for a version to start before it gets 503; default 30s. */
    public Builder startTimeout(Duration startTimeout) {
      settings.once("startTimeout");
      settings.startTimeout = Settings.positive("startTimeout", startTimeout);
      return this;
    }

    /**
     * How often idle versions are suspended and crashed ones noticed; default 1s.
     * {@link Duration#ZERO} runs no background thread: call {@link Faas#suspendIdle()} yourself.
     */
    public Builder maintenanceInterval(Duration interval) {
      settings.once("maintenanceInterval");
      settings.maintenanceInterval = Settings.zeroOrPositive("maintenanceInterval", interval);
      return this;
    }

    /**
     * How often this node polls the store for changes other nodes made, besides following the
     * store's own notifications; default 500 ms. {@link Duration#ZERO} follows nothing in the
     * background (a single node, or a test applying changes by hand).
     */
    public Builder syncInterval(Duration interval) {
      settings.once("syncInterval");
      settings.syncInterval = Settings.zeroOrPositive("syncInterval", interval);
      return this;
    }

    /**
     * This node's id in the cluster view ({@link Faas#nodes()}), unique among the nodes sharing the
     * store; default the host name with a random suffix.
     */
    public Builder nodeId(String nodeId) {
      settings.once("nodeId");
      settings.nodeId = new NodeInfo(nodeId, "", java.time.Instant.EPOCH, java.time.Instant.EPOCH, List.of()).id();
      return this;
    }

    /**
     * How often this node writes its heartbeat to the store (when the store keeps nodes); default
     * 2 s. {@link Duration#ZERO} writes none in the background.
     */
    public Builder heartbeatInterval(Duration interval) {
      settings.once("heartbeatInterval");
      settings.heartbeatInterval = Settings.zeroOrPositive("heartbeatInterval", interval);
      return this;
    }

    /** How long after its last heartbeat a node is still listed by {@link Faas#nodes()}; default 10 s. */
    public Builder nodeExpiry(Duration expiry) {
      settings.once("nodeExpiry");
      settings.nodeExpiry = Settings.positive("nodeExpiry", expiry);
      return this;
    }

    /**
     * Whether the latest version of each function is started at deploy and never suspended;
     * default true. When false, every version starts on its first request.
     */
    public Builder keepLatestWarm(boolean keepLatestWarm) {
      settings.once("keepLatestWarm");
      settings.keepLatestWarm = keepLatestWarm;
      return this;
    }

    /** Whether restored functions' latest versions are started at once (in the background); default false. */
    public Builder eagerRestore(boolean eagerRestore) {
      settings.once("eagerRestore");
      settings.eagerRestore = eagerRestore;
      return this;
    }

    /** The largest function code accepted, in UTF-8 bytes; default 10 MiB. */
    public Builder maxCodeBytes(long maxCodeBytes) {
      settings.once("maxCodeBytes");
      if (maxCodeBytes < 1) {
        throw new IllegalArgumentException("maxCodeBytes must be positive");
      }
      settings.maxCodeBytes = maxCodeBytes;
      return this;
    }

    /** How long a function may take to start answering before the client gets 504; default 30s. */
    public Builder requestTimeout(Duration requestTimeout) {
      settings.once("requestTimeout");
      settings.requestTimeout = Settings.positive("requestTimeout", requestTimeout);
      return this;
    }

    /** How long connecting to an instance may take before the client gets 504; default 5s. */
    public Builder connectTimeout(Duration connectTimeout) {
      settings.once("connectTimeout");
      settings.connectTimeout = Settings.positive("connectTimeout", connectTimeout);
      return this;
    }

    /** The largest request body forwarded to a function; default 10 MiB; larger gets 413. */
    public Builder maxRequestBodyBytes(long maxRequestBodyBytes) {
      settings.once("maxRequestBodyBytes");
      if (maxRequestBodyBytes < 0) {
        throw new IllegalArgumentException("maxRequestBodyBytes must not be negative");
      }
      settings.maxRequestBodyBytes = maxRequestBodyBytes;
      return this;
    }

    /** The most connections kept open to instances; default 1024. */
    public Builder maxConnections(int maxConnections) {
      settings.once("maxConnections");
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be positive");
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
    public Builder maxConnectionsPerInstance(int maxConnectionsPerInstance) {
      settings.once("maxConnectionsPerInstance");
      if (maxConnectionsPerInstance < 1) {
        throw new IllegalArgumentException("maxConnectionsPerInstance must be positive");
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
    public Builder clientStallTimeout(Duration clientStallTimeout) {
      settings.once("clientStallTimeout");
      settings.clientStallTimeout = Settings.positive("clientStallTimeout", clientStallTimeout);
      return this;
    }

    /**
     * The lowest rate, in bytes per second, at which a client may send its body or read its answer
     * while the function waits on it, averaged over each {@link #clientStallTimeout}; default 1024.
     * 0 only asks for one byte per period.
     */
    public Builder minClientBytesPerSecond(long minClientBytesPerSecond) {
      settings.once("minClientBytesPerSecond");
      if (minClientBytesPerSecond < 0) {
        throw new IllegalArgumentException("minClientBytesPerSecond must not be negative");
      }
      settings.minClientBytesPerSecond = minClientBytesPerSecond;
      return this;
    }

    /**
     * Whether functions are told who called them, with {@code X-Forwarded-For} (the client's
     * address appended to any the client sent), {@code X-Forwarded-Proto} and {@code
     * X-Forwarded-Host}; default true. With false, faas4j neither adds these headers nor passes on
     * the client's own: functions learn nothing of the client's address. workerd spends about 1 µs
     * per request on each header, which is measurable for tiny functions (see bench/README.md).
     */
    public Builder forwardedHeaders(boolean forwardedHeaders) {
      settings.once("forwardedHeaders");
      settings.forwardedHeaders = forwardedHeaders;
      return this;
    }

    /** The time source for idleness and creation times; default the system UTC clock. */
    public Builder clock(Clock clock) {
      settings.once("clock");
      settings.clock = java.util.Objects.requireNonNull(clock, "clock");
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
    public Builder maxHops(int maxHops) {
      settings.once("maxHops");
      Settings.atLeast("maxHops", maxHops, 1);
      settings.maxHops = maxHops;
      return this;
    }

    /**
     * Reports metrics to a Micrometer registry: OpenFaaS's {@code gateway_*} request meters and
     * faas4j's own {@code faas4j_*} ones (the README's "Operating faas4j" lists them). Default: no
     * metrics. Micrometer is an optional dependency of faas-core: without this call it need not be on
     * the class path.
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry meterRegistry) {
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
    public Builder maxInFlightRequests(int maxInFlightRequests) {
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
    public Builder maxQueuedRequests(int maxQueuedRequests) {
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
    public Builder queueTimeout(Duration queueTimeout) {
      settings.once("queueTimeout");
      settings.queueTimeout = Settings.positive("queueTimeout", queueTimeout);
      return this;
    }

    /**
     * The request header whose value keeps a client on one version of a weighted alias (see
     * {@link Faas#setWeights}); default {@code X-Faas4j-Sticky}. Null: no
     * header, only the {@link #stickyCookie}.
     */
    public Builder stickyHeader(String header) {
      settings.once("stickyHeader");
      settings.stickyHeader = header == null ? null : Settings.token("stickyHeader", header);
      return this;
    }

    /**
     * The cookie whose value keeps a client on one version of a weighted alias when the request
     * has no {@link #stickyHeader}; default {@code faas4j-sticky}. Null: no cookie.
     */
    public Builder stickyCookie(String cookie) {
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
    public Builder secretKey(byte[] key) {
      settings.once("secretKey");
      settings.sealer = Sealer.of(java.util.Objects.requireNonNull(key, "key"));
      return this;
    }

    /** How many asynchronous invocations this node runs at once; default 4. */
    public Builder asyncWorkers(int workers) {
      settings.once("asyncWorkers");
      Settings.atLeast("asyncWorkers", workers, 1);
      settings.asyncWorkers = workers;
      return this;
    }

    /**
     * The most asynchronous invocations pending in the queue (shared by every node on the store);
     * beyond it a new one is refused with 429 and {@code Retry-After}. Default 10,000.
     */
    public Builder asyncQueueDepth(int depth) {
      settings.once("asyncQueueDepth");
      Settings.atLeast("asyncQueueDepth", depth, 1);
      settings.asyncQueueDepth = depth;
      return this;
    }

    /**
     * How often an asynchronous invocation is tried (the function, then the callback, each) and the
     * wait before the second try, which doubles up to {@code maxBackoff}. Default 5, 1 s, 5 min.
     */
    public Builder asyncRetries(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
      settings.once("asyncRetries");
      Settings.atLeast("maxAttempts", maxAttempts, 1);
      settings.asyncMaxAttempts = maxAttempts;
      settings.asyncFirstBackoff = Settings.positive("firstBackoff", firstBackoff);
      settings.asyncMaxBackoff = Settings.positive("maxBackoff", maxBackoff);
      return this;
    }

    /**
     * How long a node holds an asynchronous invocation it claimed; a node that died holding one
     * leaves it to the others (or to itself, restarted with the same {@link #nodeId}) after this.
     * Default: the request timeout plus 30 s.
     */
    public Builder asyncLease(Duration lease) {
      settings.once("asyncLease");
      settings.asyncLease = Settings.positive("asyncLease", lease);
      return this;
    }

    /**
     * CIDRs that callback URLs ({@code X-Callback-Url}) may reach although they are not public, e.g.
     * {@code 127.0.0.1/32} for a receiver on this machine. Default: the comma-separated CIDRs in the
     * environment variable {@code FAAS4J_CALLBACK_ALLOW}, else none (public addresses only).
     *
     * @throws IllegalArgumentException for an entry that is not a CIDR
     */
    public Builder callbackAllow(String... cidrs) {
      settings.once("callbackAllow");
      new CallbackGuard(List.of(cidrs)); // validates
      settings.callbackAllow = List.of(cidrs);
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
}
