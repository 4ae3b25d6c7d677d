package dev.faas4j.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.Validation;
import dev.faas4j.core.internal.Instances;
import dev.faas4j.core.internal.Registry;
import dev.faas4j.core.internal.Route;
import dev.faas4j.core.internal.Router;
import dev.faas4j.core.internal.VersionIds;
import dev.faas4j.core.internal.proxy.ClientExchange;
import dev.faas4j.core.internal.proxy.Hops;
import dev.faas4j.core.internal.proxy.ProxySettings;
import dev.faas4j.core.internal.proxy.ReverseProxy;
import dev.faas4j.core.testing.InMemoryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger LOG = LoggerFactory.getLogger(Faas.class);
  private static final int MAX_WRITE_ATTEMPTS = 5;
  /** Pooled connections to instances idle this long are closed: they may lead to a suspended instance. */
  private static final Duration IDLE_CONNECTION_LIFETIME = Duration.ofSeconds(10);

  private final Settings settings;
  private final List<FunctionProvider> providers;
  private final FunctionStore store;
  private final Registry registry;
  private final Instances instances;
  private final Router router;
  private final ReverseProxy proxy;
  /** Requests that arrive having been forwarded to functions this many times are refused (508). */
  private final int maxHops;
  private final VersionIds versionIds;
  private final ExecutorService starter;
  private final ScheduledExecutorService maintenance;
  private final Cache<String, Boolean> recentlyMissing;
  private volatile boolean closed;

  private Faas(Builder builder) {
    this.settings = builder.settings();
    this.providers = List.copyOf(builder.providers);
    this.store = builder.store != null ? builder.store : new InMemoryStore();
    this.registry = new Registry(store);
    this.starter = Executors.newCachedThreadPool(daemonThreads("faas4j-start-"));
    this.instances = new Instances(settings.clock, settings.idleTimeout, settings.startTimeout, starter);
    this.router = new Router(settings.domain, settings.mountPath);
    this.proxy = new ReverseProxy(builder.proxySettings());
    this.maxHops = builder.maxHops;
    this.versionIds = new VersionIds(settings.clock);
    Clock clock = settings.clock;
    this.recentlyMissing = Caffeine.newBuilder()
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .expireAfterWrite(Duration.ofSeconds(1))
        .maximumSize(10_000)
        .build();
    List<FunctionState> restored;
    try {
      restored = registry.restore();
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
    LOG.info("faas4j started: {} function(s) restored, providers {}, domain {}",
        restored.size(), providers.stream().map(FunctionProvider::name).toList(), settings.domain);
    if (settings.eagerRestore) {
      for (FunctionState state : restored) {
        FunctionVersion latest = state.latestVersion();
        starter.execute(() -> startQuietly(latest));
      }
    }
    if (settings.maintenanceInterval.isZero()) {
      this.maintenance = null;
    } else {
      this.maintenance = Executors.newSingleThreadScheduledExecutor(daemonThreads("faas4j-maintenance-"));
      long period = settings.maintenanceInterval.toMillis();
      maintenance.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Changes

  /** A fresh version name: unique in this JVM, sortable in deploy order, a DNS label. */
  public String newVersion() {
    return versionIds.next();
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
    checkOpen();
    String aliasKey = optionalLabel("alias", alias);
    FunctionProvider provider = providerFor(spec.runtime());
    checkCodeSize(spec);
    return write(spec.name(), () -> deployLocked(spec, aliasKey, provider));
  }

  private Deployment deployLocked(FunctionSpec requested, String alias, FunctionProvider provider) {
    Optional<FunctionState> current = registry.get(requested.name());
    FunctionSpec spec = current.map(state -> renamed(requested, state.name())).orElse(requested);
    boolean isNew = true;
    if (current.isPresent()) {
      FunctionState state = current.get();
      Optional<FunctionVersion> existing = state.version(spec.version());
      if (existing.isPresent()) {
        if (!existing.get().spec().sameDefinitionAs(spec)) {
          throw FaasException.conflict("version " + spec.version() + " of " + state.name() + " already exists with a"
              + " different definition; versions are immutable, so deploy it as a new version");
        }
        isNew = false;
      }
      if (state.aliases().containsKey(spec.version())) {
        throw FaasException.conflict("'" + spec.version() + "' is an alias of " + state.name()
            + "; a version may not have the name of an alias");
      }
      if (alias != null && state.version(alias).isPresent()) {
        throw FaasException.conflict("alias '" + alias + "' has the name of a version of " + state.name());
      }
    }
    if (alias != null && alias.equals(spec.version())) {
      throw FaasException.conflict("alias '" + alias + "' has the name of the version it points at");
    }

    FunctionRef ref = spec.ref();
    if (isNew) {
      deployToProvider(spec, provider);
    }
    try {
      if (settings.keepLatestWarm) {
        startAtDeploy(ref);
      }
      FunctionState next = next(current, spec, isNew, alias);
      registry.commit(next);
      recentlyMissing.invalidate(next.key());
      LOG.info("deployed {} as the latest version{}", ref, alias == null ? "" : " with alias " + alias);
      return deployment(next.name(), spec.version(), alias);
    } catch (RuntimeException e) {
      if (isNew) {
        instances.discard(spec, provider);
      }
      throw e;
    }
  }

  private FunctionState next(Optional<FunctionState> current, FunctionSpec spec, boolean isNew, String alias) {
    List<FunctionVersion> versions = new ArrayList<>(current.map(FunctionState::versions).orElse(List.of()));
    if (isNew) {
      versions.add(new FunctionVersion(spec, settings.clock.instant()));
    }
    Map<String, String> aliases = new LinkedHashMap<>(current.map(FunctionState::aliases).orElse(Map.of()));
    if (alias != null) {
      aliases.put(alias, spec.version());
    }
    long revision = current.map(FunctionState::revision).orElse(0L) + 1;
    String name = current.map(FunctionState::name).orElse(spec.name());
    return new FunctionState(name, revision, versions, aliases, spec.version());
  }

  private void deployToProvider(FunctionSpec spec, FunctionProvider provider) {
    try {
      provider.deploy(spec);
    } catch (FaasException e) {
      throw e;
    } catch (Exception e) {
      throw new FaasException(FaasException.Reason.INTERNAL,
          provider.name() + " failed to deploy " + spec.ref() + ": " + e.getMessage(), e);
    }
    instances.register(spec, provider, true);
  }

  private void startAtDeploy(FunctionRef ref) {
    try {
      instances.start(ref);
    } catch (FaasException e) {
      throw new FaasException(FaasException.Reason.INVALID_FUNCTION, e.getMessage(), e);
    }
  }

  /**
   * Points the latest pointer at a kept version (and optionally an alias too), starting it first
   * when the latest is kept warm.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version
   */
  public Deployment rollback(String name, String version, String alias) {
    checkOpen();
    String aliasKey = optionalLabel("alias", alias);
    Validation.requireLabel("version", version);
    return write(name, () -> {
      FunctionState state = require(name);
      FunctionVersion target = requireVersion(state, version);
      if (aliasKey != null && state.version(aliasKey).isPresent()) {
        throw FaasException.conflict("alias '" + aliasKey + "' has the name of a version of " + state.name());
      }
      if (settings.keepLatestWarm) {
        register(target);
        instances.start(target.spec().ref());
      }
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      if (aliasKey != null) {
        aliases.put(aliasKey, target.version());
      }
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, target.version()));
      LOG.info("rolled {} back to {}", state.name(), target.version());
      return deployment(state.name(), target.version(), aliasKey);
    });
  }

  /**
   * Creates an alias or moves it to another version.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version, CONFLICT if the alias has
   *     the name of a version
   */
  public Deployment setAlias(String name, String alias, String version) {
    checkOpen();
    String aliasKey = Validation.canonical(Validation.requireLabel("alias", alias));
    Validation.requireLabel("version", version);
    return write(name, () -> {
      FunctionState state = require(name);
      FunctionVersion target = requireVersion(state, version);
      if (state.version(aliasKey).isPresent()) {
        throw FaasException.conflict("alias '" + aliasKey + "' has the name of a version of " + state.name());
      }
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      aliases.put(aliasKey, target.version());
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, state.latest()));
      return deployment(state.name(), target.version(), aliasKey);
    });
  }

  /** Removes an alias. @throws FaasException NOT_FOUND if there is no such alias */
  public void removeAlias(String name, String alias) {
    checkOpen();
    String aliasKey = Validation.canonical(Validation.requireLabel("alias", alias));
    write(name, () -> {
      FunctionState state = require(name);
      if (!state.aliases().containsKey(aliasKey)) {
        throw FaasException.notFound("function " + state.name() + " has no alias '" + aliasKey + "'");
      }
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      aliases.remove(aliasKey);
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, state.latest()));
      return null;
    });
  }

  /**
   * Stops a version's instances. It stays deployed: the next request to it starts it again.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version
   */
  public void stop(String name, String version) {
    checkOpen();
    FunctionVersion target = requireVersion(require(name), version);
    instances.stop(target.spec().ref());
    LOG.info("stopped {}", target.spec().ref());
  }

  /**
   * Deletes one version. A version the latest pointer or an alias points at is refused unless
   * {@code force}; forced, its aliases go with it and the latest moves to the newest remaining
   * version. Deleting the only version deletes the function.
   *
   * @throws FaasException NOT_FOUND, or CONFLICT when the version is in use and not forced
   */
  public void deleteVersion(String name, String version, boolean force) {
    checkOpen();
    Validation.requireLabel("version", version);
    FunctionRef removed = write(name, () -> {
      FunctionState state = require(name);
      FunctionVersion target = requireVersion(state, version);
      String v = target.version();
      List<String> pointers = new ArrayList<>();
      if (state.latest().equals(v)) {
        pointers.add("it is the latest version");
      }
      state.aliases().forEach((a, to) -> {
        if (to.equals(v)) {
          pointers.add("alias '" + a + "' points at it");
        }
      });
      if (!pointers.isEmpty() && !force) {
        throw FaasException.conflict("version " + v + " of " + state.name() + " is in use (" + String.join(", ", pointers)
            + "); roll back or move the alias first, or delete with force=true");
      }
      if (state.versions().size() == 1) {
        registry.delete(state);
      } else {
        List<FunctionVersion> versions = new ArrayList<>(state.versions());
        versions.remove(target);
        Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
        aliases.values().removeIf(v::equals);
        String latest = state.latest().equals(v) ? versions.get(versions.size() - 1).version() : state.latest();
        registry.commit(new FunctionState(state.name(), state.revision() + 1, versions, aliases, latest));
      }
      return target.spec().ref();
    });
    instances.remove(removed);
    LOG.info("deleted {}", removed);
  }

  /** Deletes a function with every version and alias. @throws FaasException NOT_FOUND */
  public void deleteFunction(String name) {
    checkOpen();
    FunctionState deleted = write(name, () -> {
      FunctionState state = require(name);
      registry.delete(state);
      return state;
    });
    for (FunctionVersion version : deleted.versions()) {
      instances.remove(version.spec().ref());
    }
    LOG.info("deleted function {} ({} version(s))", deleted.name(), deleted.versions().size());
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** Every function, sorted by name. */
  public List<FunctionInfo> list() {
    return registry.all().stream()
        .sorted(Comparator.comparing(FunctionState::key))
        .map(this::info)
        .toList();
  }

  /** One function with the state of each version. @throws FaasException NOT_FOUND */
  public FunctionInfo describe(String name) {
    return info(require(name));
  }

  /**
   * The recent output of a version's instances, if its provider keeps logs.
   *
   * @throws FaasException NOT_FOUND for an unknown version, NOT_SUPPORTED if the provider has no logs
   */
  public List<String> logs(String name, String version, int maxLines) {
    FunctionVersion target = requireVersion(require(name), version);
    FunctionProvider provider = providerFor(target.spec().runtime());
    FunctionLogs logs = provider.capability(FunctionLogs.class).orElseThrow(() -> new FaasException(
        FaasException.Reason.NOT_SUPPORTED, "the " + provider.name() + " provider does not keep logs"));
    return logs.logs(target.spec().ref(), maxLines);
  }

  /**
   * Runs one maintenance pass now: suspends versions idle for longer than the idle timeout (the
   * latest versions excepted when they are kept warm) and notices instances that exited on their
   * own. The builder's {@code maintenanceInterval} runs this periodically.
   *
   * @return the versions suspended by this pass
   */
  public List<FunctionRef> suspendIdle() {
    instances.recoverCrashed(this::keptWarm);
    List<FunctionRef> suspended = instances.suspendIdle(this::keptWarm);
    proxy.closeIdleConnections(IDLE_CONNECTION_LIFETIME);
    return suspended;
  }

  // ---------------------------------------------------------------------------------------------
  // Function traffic (used by FaasFilter and FaasHandler)

  /**
   * The route of a request, or null if it is not function traffic.
   *
   * @param host the Host header, or null
   * @param path the raw path, without the servlet context path
   * @param query the raw query, or null
   */
  Route route(String host, String path, String query) {
    return router.route(host, path, query);
  }

  /**
   * Serves a function request: resolve, start if needed, proxy. The instance stays leased (and so
   * counted as busy, never suspended) until the proxy's exchange is over, which may be after this
   * returns: the answer is written asynchronously when the request is in async mode. May block:
   * for a store lookup, or while the version starts.
   *
   * @throws FaasException before anything was sent: unknown function or version, cannot start
   */
  void serve(Route route, ClientExchange client) throws IOException {
    checkOpen();
    FunctionVersion version = resolve(route);
    forward(route, client, instances.acquire(version.spec().ref()));
  }

  /**
   * Serves a function request only if that cannot block: the function is known here, and its
   * version is running with an HTTP endpoint. Otherwise does nothing and returns false, and the
   * caller {@linkplain #serve serves} it from a thread that may block (which also explains an
   * unknown version or alias).
   *
   * @throws FaasException UNAVAILABLE when faas4j is shut down; nothing was sent then
   */
  boolean serveIfReady(Route route, ClientExchange client) throws IOException {
    checkOpen();
    Optional<FunctionState> state = registry.get(route.name());
    if (state.isEmpty()) {
      return false; // may be in the store: another gateway may have deployed it
    }
    FunctionVersion version = version(state.get(), route).orElse(null);
    if (version == null) {
      return false; // serve() explains
    }
    Instances.Lease lease = instances.tryAcquire(version.spec().ref());
    if (lease == null) {
      return false;
    }
    if (!(lease.endpoint() instanceof Endpoint.Http)) {
      lease.close(); // in-process functions run the application's code on the calling thread
      return false;
    }
    forward(route, client, lease);
    return true;
  }

  /**
   * {@link #serve} or, with {@code onlyIfReady}, {@link #serveIfReady}, answering their failures
   * as JSON errors ({@link FaasException}'s status, or 500 for a bug, which is logged).
   *
   * @return false only when {@code onlyIfReady} and the request was left alone
   */
  boolean serveAnsweringErrors(Route route, ClientExchange client, boolean onlyIfReady) throws IOException {
    try {
      Hops.check(client, maxHops); // before anything else: a loop must not even start a version
      if (onlyIfReady) {
        return serveIfReady(route, client);
      }
      serve(route, client);
    } catch (FaasException e) {
      client.sendError(e.reason().httpStatus(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("failed to serve {}", route, e);
      client.sendError(500, "internal error while serving the function; see the server log");
    }
    return true;
  }

  private void forward(Route route, ClientExchange client, Instances.Lease lease) throws IOException {
    CompletionStage<Void> exchange;
    try {
      exchange = proxy.forward(client, lease.endpoint(), route.upstreamPathAndQuery(), lease.spec().limits().timeout());
    } catch (IOException | RuntimeException | Error e) {
      lease.close();
      throw e;
    }
    exchange.whenComplete((ok, failure) -> {
      lease.close();
      if (failure != null) {
        LOG.debug("{}: {}", route, failure.toString());
      }
    });
  }

  private FunctionVersion resolve(Route route) {
    FunctionState state = registry.get(route.name()).orElseGet(() -> lookUpMissing(route.name()));
    if (state == null) {
      throw FaasException.notFound("function '" + route.name() + "' not found");
    }
    FunctionVersion version = version(state, route).orElseThrow(() -> FaasException.notFound(
        "function " + state.name() + " has no version or alias '" + route.selector() + "'"));
    register(version);
    return version;
  }

  /** The version a route asks for: its version or alias, or the latest. */
  private static Optional<FunctionVersion> version(FunctionState state, Route route) {
    return route.selector() == null ? Optional.of(state.latestVersion()) : state.resolve(route.selector());
  }

  /** A function this JVM does not know may have been deployed by another gateway sharing the store. */
  private FunctionState lookUpMissing(String name) {
    String key = Validation.canonical(name);
    if (recentlyMissing.getIfPresent(key) != null) {
      return null;
    }
    Optional<FunctionState> stored = registry.refresh(name);
    if (stored.isEmpty()) {
      recentlyMissing.put(key, Boolean.TRUE);
    }
    return stored.orElse(null);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private <T> T write(String name, Supplier<T> change) {
    Validation.requireLabel("function name", name);
    synchronized (registry.lock(name)) {
      for (int attempt = 1; ; attempt++) {
        try {
          return change.get();
        } catch (Registry.Stale stale) {
          if (attempt == MAX_WRITE_ATTEMPTS) {
            throw FaasException.conflict("function " + name + " is being changed by another writer; try again");
          }
        }
      }
    }
  }

  /** The function's state; a function this JVM has not seen is looked up in the store (another gateway may own it). */
  private FunctionState require(String name) {
    Validation.requireLabel("function name", name);
    return registry.get(name).or(() -> registry.refresh(name))
        .orElseThrow(() -> FaasException.notFound("function '" + name + "' not found"));
  }

  private static FunctionVersion requireVersion(FunctionState state, String version) {
    Validation.requireLabel("version", version);
    return state.version(version).orElseThrow(() -> FaasException.notFound(
        "function " + state.name() + " has no version '" + version + "'"));
  }

  private void register(FunctionVersion version) {
    if (!instances.isRegistered(version.spec().ref())) {
      instances.register(version.spec(), providerFor(version.spec().runtime()), false);
    }
  }

  private boolean keptWarm(FunctionRef ref) {
    return settings.keepLatestWarm
        && registry.get(ref.name()).map(state -> state.latest().equals(ref.version())).orElse(false);
  }

  private void maintain() {
    try {
      suspendIdle();
    } catch (RuntimeException e) {
      LOG.warn("maintenance pass failed", e);
    }
  }

  private void startQuietly(FunctionVersion version) {
    try {
      register(version);
      instances.start(version.spec().ref());
    } catch (RuntimeException e) {
      LOG.warn("could not start restored {}: {}", version.spec().ref(), e.getMessage());
    }
  }

  private FunctionProvider providerFor(String runtime) {
    for (FunctionProvider provider : providers) {
      if (provider.runtimes().contains(runtime)) {
        return provider;
      }
    }
    List<String> known = providers.stream().flatMap(p -> p.runtimes().stream()).sorted().toList();
    throw FaasException.invalid("runtime '" + runtime + "' is not served here; available runtimes: " + known);
  }

  private void checkCodeSize(FunctionSpec spec) {
    String code = spec.code();
    if (code != null && (long) code.length() > settings.maxCodeBytes / 3) {
      long bytes = code.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > settings.maxCodeBytes) {
        throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE,
            "code is " + bytes + " bytes; the limit is " + settings.maxCodeBytes);
      }
    }
  }

  private static String optionalLabel(String what, String value) {
    return value == null || value.isEmpty() ? null : Validation.canonical(Validation.requireLabel(what, value));
  }

  private static FunctionSpec renamed(FunctionSpec spec, String name) {
    return name.equals(spec.name()) ? spec : new FunctionSpec(name, spec.version(), spec.runtime(), spec.code(),
        spec.image(), spec.env(), spec.labels(), spec.limits(), spec.network(), spec.options());
  }

  private FunctionInfo info(FunctionState state) {
    List<VersionInfo> versions = new ArrayList<>();
    for (FunctionVersion v : state.versions()) {
      List<String> aliases = state.aliases().entrySet().stream()
          .filter(e -> e.getValue().equals(v.version())).map(Map.Entry::getKey).sorted().toList();
      var status = instances.status(v.spec().ref());
      String host = subdomain(v.version(), state.name());
      versions.add(new VersionInfo(v.version(), v.spec().runtime(), v.createdAt(), v.version().equals(state.latest()),
          aliases, status.state(), status.detail(), instances.activeRequests(v.spec().ref()), host, accessUrl(host)));
    }
    return new FunctionInfo(state.name(), state.latest(), state.aliases(), state.revision(), versions);
  }

  private Deployment deployment(String name, String version, String alias) {
    String host = subdomain(version, name);
    return new Deployment(name, version, alias == null ? "" : alias, host, accessUrl(host));
  }

  private String subdomain(String version, String name) {
    return version + "." + name + "." + settings.domain;
  }

  private String accessUrl(String host) {
    return "http://" + host + (settings.publicPort == 80 ? "" : ":" + settings.publicPort);
  }

  /** The domain function hosts live under. */
  public String domain() {
    return settings.domain;
  }

  private void checkOpen() {
    if (closed) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "faas4j is shut down");
    }
  }

  /**
   * Stops every instance, then closes the proxy, the providers and the store. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly();
    LOG.info("faas4j stopped");
  }

  private void closeQuietly() {
    if (maintenance != null) {
      maintenance.shutdownNow();
    }
    proxy.close();
    for (FunctionProvider provider : providers) {
      try {
        provider.close();
      } catch (RuntimeException e) {
        LOG.warn("provider {} failed to close: {}", provider.name(), e.toString());
      }
    }
    try {
      store.close();
    } catch (Exception e) {
      LOG.warn("store failed to close: {}", e.toString());
    }
    starter.shutdownNow();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Builder

  /** Immutable settings, derived from the builder. */
  private record Settings(
      String domain,
      String mountPath,
      int publicPort,
      Duration idleTimeout,
      Duration startTimeout,
      Duration maintenanceInterval,
      boolean keepLatestWarm,
      boolean eagerRestore,
      long maxCodeBytes,
      Clock clock) {}

  /**
   * Configures a {@link Faas}. Each option may be set once; setting one twice fails fast, naming
   * it. Not thread-safe.
   */
  public static final class Builder {
    private final List<FunctionProvider> providers = new ArrayList<>();
    private final java.util.Set<String> set = new java.util.HashSet<>();
    private FunctionStore store;
    private String domain = "func.local";
    private String mountPath;
    private int publicPort = 80;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration maintenanceInterval = Duration.ofSeconds(1);
    private boolean keepLatestWarm = true;
    private boolean eagerRestore;
    private long maxCodeBytes = 10L << 20;
    private Clock clock = Clock.systemUTC();
    private int maxHops = Hops.DEFAULT_MAX;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private long maxRequestBodyBytes = 10L << 20;
    private boolean forwardedHeaders = true;
    private int maxConnections = 1024;

    private Builder() {}

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    private static Duration positive(String option, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(option + " must be positive, was " + value);
      }
      return value;
    }

    /** Adds a provider; the first one serving a deploy's runtime gets it. At least one is required. */
    public Builder provider(FunctionProvider provider) {
      if (providers.stream().anyMatch(p -> p == provider)) {
        throw new IllegalStateException("provider " + provider.name() + " was already added");
      }
      providers.add(java.util.Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Where functions are kept. Default: an {@link InMemoryStore} (nothing survives a restart). */
    public Builder store(FunctionStore store) {
      once("store");
      this.store = java.util.Objects.requireNonNull(store, "store");
      return this;
    }

    /** The domain function hosts live under; default {@code func.local}. */
    public Builder domain(String domain) {
      once("domain");
      this.domain = java.util.Objects.requireNonNull(domain, "domain").toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /**
     * Also route by path: {@code {mountPath}/{name}[@{version|alias}]/rest}, e.g. {@code /fn}.
     * Default: route by Host only.
     */
    public Builder mountPath(String mountPath) {
      once("mountPath");
      this.mountPath = java.util.Objects.requireNonNull(mountPath, "mountPath");
      return this;
    }

    /** The port written into access URLs (omitted when 80); default 80. */
    public Builder publicPort(int port) {
      once("publicPort");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("publicPort must be 1-65535, was " + port);
      }
      this.publicPort = port;
      return this;
    }

    /** How long a version may go without requests before it is suspended; default 60s. */
    public Builder idleTimeout(Duration idleTimeout) {
      once("idleTimeout");
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /** How long a request waits for a version to start before it gets 503; default 30s. */
    public Builder startTimeout(Duration startTimeout) {
      once("startTimeout");
      this.startTimeout = positive("startTimeout", startTimeout);
      return this;
    }

    /**
     * How often idle versions are suspended and crashed ones noticed; default 1s.
     * {@link Duration#ZERO} runs no background thread: call {@link Faas#suspendIdle()} yourself.
     */
    public Builder maintenanceInterval(Duration interval) {
      once("maintenanceInterval");
      if (interval == null || interval.isNegative()) {
        throw new IllegalArgumentException("maintenanceInterval must be zero or positive, was " + interval);
      }
      this.maintenanceInterval = interval;
      return this;
    }

    /**
     * Whether the latest version of each function is started at deploy and never suspended;
     * default true. When false, every version starts on its first request.
     */
    public Builder keepLatestWarm(boolean keepLatestWarm) {
      once("keepLatestWarm");
      this.keepLatestWarm = keepLatestWarm;
      return this;
    }

    /** Whether restored functions' latest versions are started at once (in the background); default false. */
    public Builder eagerRestore(boolean eagerRestore) {
      once("eagerRestore");
      this.eagerRestore = eagerRestore;
      return this;
    }

    /** The largest function code accepted, in UTF-8 bytes; default 10 MiB. */
    public Builder maxCodeBytes(long maxCodeBytes) {
      once("maxCodeBytes");
      if (maxCodeBytes < 1) {
        throw new IllegalArgumentException("maxCodeBytes must be positive");
      }
      this.maxCodeBytes = maxCodeBytes;
      return this;
    }

    /** How long a function may take to start answering before the client gets 504; default 30s. */
    public Builder requestTimeout(Duration requestTimeout) {
      once("requestTimeout");
      this.requestTimeout = positive("requestTimeout", requestTimeout);
      return this;
    }

    /** How long connecting to an instance may take before the client gets 504; default 5s. */
    public Builder connectTimeout(Duration connectTimeout) {
      once("connectTimeout");
      this.connectTimeout = positive("connectTimeout", connectTimeout);
      return this;
    }

    /** The largest request body forwarded to a function; default 10 MiB; larger gets 413. */
    public Builder maxRequestBodyBytes(long maxRequestBodyBytes) {
      once("maxRequestBodyBytes");
      if (maxRequestBodyBytes < 0) {
        throw new IllegalArgumentException("maxRequestBodyBytes must not be negative");
      }
      this.maxRequestBodyBytes = maxRequestBodyBytes;
      return this;
    }

    /** The most connections kept open to instances; default 1024. */
    public Builder maxConnections(int maxConnections) {
      once("maxConnections");
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be positive");
      }
      this.maxConnections = maxConnections;
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
      once("forwardedHeaders");
      this.forwardedHeaders = forwardedHeaders;
      return this;
    }

    /** The time source for idleness and creation times; default the system UTC clock. */
    public Builder clock(Clock clock) {
      once("clock");
      this.clock = java.util.Objects.requireNonNull(clock, "clock");
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
      once("maxHops");
      if (maxHops < 1) {
        throw new IllegalArgumentException("maxHops must be at least 1, was " + maxHops);
      }
      this.maxHops = maxHops;
      return this;
    }

    private Settings settings() {
      return new Settings(domain, mountPath, publicPort, idleTimeout, startTimeout, maintenanceInterval,
          keepLatestWarm, eagerRestore, maxCodeBytes, clock);
    }

    private ProxySettings proxySettings() {
      return new ProxySettings(connectTimeout, requestTimeout, maxRequestBodyBytes, maxConnections, forwardedHeaders);
    }

    /**
     * Builds and starts the platform: restores every function from the store.
     *
     * @throws IllegalStateException if no provider was added
     * @throws FaasException UNAVAILABLE if the store cannot be read
     */
    public Faas build() {
      if (providers.isEmpty()) {
        throw new IllegalStateException("no provider: add one with provider(...), e.g. WorkerdProvider.builder().build()");
      }
      new Router(domain, mountPath); // validates both
      return new Faas(this);
    }
  }
}
