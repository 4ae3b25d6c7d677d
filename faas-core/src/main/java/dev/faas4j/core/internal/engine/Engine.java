package dev.faas4j.core.internal.engine;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.control.Addresses;
import dev.faas4j.core.internal.control.ChangeFollower;
import dev.faas4j.core.internal.control.FunctionService;
import dev.faas4j.core.internal.control.Lifecycle;
import dev.faas4j.core.internal.control.NodeHeartbeat;
import dev.faas4j.core.internal.control.Registry;
import dev.faas4j.core.internal.proxy.ReverseProxy;
import dev.faas4j.core.internal.routing.FunctionTraffic;
import dev.faas4j.core.internal.routing.Invoker;
import dev.faas4j.core.internal.routing.Router;
import dev.faas4j.core.internal.routing.TrafficSplitter;
import dev.faas4j.core.internal.runtime.Admission;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Maintenance;
import dev.faas4j.core.internal.runtime.Providers;
import dev.faas4j.core.internal.runtime.Threads;
import dev.faas4j.core.internal.secrets.Secrets;
import dev.faas4j.core.internal.telemetry.Metrics;
import dev.faas4j.core.testing.InMemoryStore;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * faas-core assembled: the control plane, the request path, asynchronous calls, secrets and the
 * background work, built from {@link Settings} in dependency order and closed in reverse.
 */
public final class Engine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** Pooled connections to instances idle this long are closed: they may lead to a suspended instance. */
  private static final Duration IDLE_CONNECTION_LIFETIME = Duration.ofSeconds(10);

  private final Lifecycle lifecycle = new Lifecycle();
  private final FunctionStore store;
  private final Providers providers;
  private final ExecutorService starter;
  private final ReverseProxy proxy;
  private final Secrets secrets;
  private ChangeFollower follower;
  private NodeHeartbeat heartbeat;
  private FunctionService functions;
  private FunctionTraffic traffic;
  private Invoker invoker;
  private AsyncCalls async;
  private Maintenance maintenance;

  /**
   * Builds every part, restores every function from the store, then starts the background work.
   * On failure, what was started is closed again.
   */
  public Engine(Settings settings) {
    this.store = settings.store != null ? settings.store : new InMemoryStore();
    String nodeId = settings.nodeId != null ? settings.nodeId : NodeHeartbeat.defaultId(); // heartbeat, async claims
    this.secrets = new Secrets(store, settings.sealer);
    this.providers = new Providers(settings.providers.stream().<FunctionProvider>map(secrets::wrap).toList());
    this.starter = Executors.newCachedThreadPool(Threads.daemon("faas4j-start-"));
    this.proxy = new ReverseProxy(settings.proxySettings(), settings.tunnelIdleTimeout, System::nanoTime);
    Metrics metrics = settings.meterRegistry == null ? Metrics.NONE : Metrics.micrometer(settings.meterRegistry);
    metrics.watchTunnels(proxy::openTunnels);
    Registry registry = new Registry(store, settings.clock, metrics);
    Instances instances = new Instances(providers, settings.clock, settings.idleTimeout, settings.startTimeout, starter,
        metrics);
    instances.frozenTier(settings.frozenTimeout, settings.frozenMemoryBudgetBytes);
    int restored;
    try {
      this.follower = new ChangeFollower(store, registry, instances, starter, settings.keepLatestWarm, metrics);
      follower.onSecretsChanged(secrets::changed);
      this.heartbeat = new NodeHeartbeat(store, instances, settings.clock, nodeId, settings.heartbeatInterval,
          settings.nodeExpiry);
      this.functions = new FunctionService(registry, instances, providers, Addresses.of(settings.domain,
          settings.mountPath, settings.publicBaseUrl, settings.publicPort), lifecycle, settings.clock,
          settings.keepLatestWarm, settings.maxCodeBytes, follower, heartbeat, metrics);
      restored = functions.restore(settings.eagerRestore, starter);
      follower.start(settings.syncInterval);
      this.traffic = new FunctionTraffic(new Router(settings.domain, settings.mountPath), registry, instances, proxy,
          lifecycle, settings.maxHops, metrics, new TrafficSplitter(settings.stickyHeader, settings.stickyCookie),
          new Admission(settings.maxInFlightRequests, settings.maxQueuedRequests, settings.queueTimeout));
      this.invoker = new Invoker(traffic, settings.domain);
      this.async = new AsyncCalls(store, traffic, registry, proxy, invoker, lifecycle, settings.asyncSettings(),
          settings.clock, nodeId, Executors.newSingleThreadScheduledExecutor(Threads.daemon("faas4j-async-poll-")),
          Executors.newFixedThreadPool(settings.asyncWorkers, Threads.daemon("faas4j-async-")));
      async.start();
      this.maintenance = new Maintenance(instances, functions.queries()::keptWarm,
          () -> proxy.closeIdleConnections(IDLE_CONNECTION_LIFETIME), settings.maintenanceInterval);
    } catch (RuntimeException e) {
      closeParts();
      throw e;
    }
    LOG.info("faas4j started: {} function(s) restored, providers {}, domain {}", restored, providers.names(),
        settings.domain);
  }

  /** Open until {@link #close()}; what refuses changes once closed. */
  public Lifecycle lifecycle() {
    return lifecycle;
  }

  /** The control plane: deploys, rollbacks, aliases, deletes, queries. */
  public FunctionService functions() {
    return functions;
  }

  /** The request path: routing, then instances, then the proxy. */
  public FunctionTraffic traffic() {
    return traffic;
  }

  /** Calls from this JVM, along the request path. */
  public Invoker invoker() {
    return invoker;
  }

  public AsyncCalls async() {
    return async;
  }

  public Secrets secrets() {
    return secrets;
  }

  public Maintenance maintenance() {
    return maintenance;
  }

  /** Follows other nodes' changes through the store. */
  public ChangeFollower follower() {
    return follower;
  }

  public NodeHeartbeat heartbeat() {
    return heartbeat;
  }

  /** Stops every instance, then closes the proxy, the providers and the store. Idempotent. */
  @Override
  public void close() {
    if (!lifecycle.close()) {
      return;
    }
    closeParts();
    LOG.info("faas4j stopped");
  }

  private void closeParts() {
    if (follower != null) {
      follower.close();
    }
    if (heartbeat != null) {
      heartbeat.close();
    }
    if (maintenance != null) {
      maintenance.close();
    }
    if (async != null) {
      async.close();
    }
    proxy.close();
    providers.closeAll();
    try {
      store.close();
    } catch (Exception e) {
      LOG.warn("store failed to close: {}", e.toString());
    }
    starter.shutdownNow();
  }
}
