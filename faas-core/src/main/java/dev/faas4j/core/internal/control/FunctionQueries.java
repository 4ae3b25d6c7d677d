package dev.faas4j.core.internal.control;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.LogLine;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Providers;
import dev.faas4j.core.internal.telemetry.Metrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the control plane reports of functions: the list, one function with the state of each
 * version, the nodes, logs and request counts. Queries first catch up with changes other nodes
 * made ({@link ChangeFollower#catchUp}); they change nothing.
 *
 * <p>Thread-safe.
 */
public final class FunctionQueries {

  private final Registry registry;
  private final Instances instances;
  private final Providers providers;
  private final Addresses addresses;
  private final boolean keepLatestWarm;
  private final ChangeFollower follower;
  private final NodeHeartbeat heartbeat;
  private final Metrics metrics;
  private final Logs logs;

  FunctionQueries(Registry registry, Instances instances, Providers providers, Addresses addresses,
      boolean keepLatestWarm, ChangeFollower follower, NodeHeartbeat heartbeat, Metrics metrics) {
    this.registry = registry;
    this.instances = instances;
    this.providers = providers;
    this.addresses = addresses;
    this.keepLatestWarm = keepLatestWarm;
    this.follower = follower;
    this.heartbeat = heartbeat;
    this.metrics = metrics;
    this.logs = new Logs(registry, providers);
  }

  /** Every function in the store, sorted by name. */
  public List<FunctionView> list() {
    follower.catchUp();
    return registry.all().stream()
        .sorted(Comparator.comparing(FunctionState::key))
        .map(this::view)
        .toList();
  }

  /** One function with the state of each version. */
  public FunctionView describe(String name) {
    follower.catchUp();
    return view(registry.require(name));
  }

  /** Where versions are reached from outside, as configured (see {@link Addresses#seenFrom}). */
  public Addresses addresses() {
    return addresses;
  }

  /** The live nodes sharing the store, by id (this node alone if the store keeps no nodes). */
  public List<NodeInfo> nodes() {
    return heartbeat.liveNodes();
  }

  /**
   * The last lines of one version, or of every version merged by time when {@code version} is null.
   *
   * @throws FaasException NOT_FOUND, or NOT_SUPPORTED when no provider involved keeps logs
   */
  public List<LogLine> logLines(String name, String version, int maxLines) {
    return logs.lines(name, version, maxLines);
  }

  /**
   * Follows one version's output, or every version's when {@code version} is null, until the
   * returned handle is closed; {@code listener} is called on the provider's thread and must not block.
   *
   * @throws FaasException NOT_FOUND, or NOT_SUPPORTED when no provider involved can follow logs
   */
  public AutoCloseable followLogs(String name, String version, Consumer<LogLine> listener) {
    return logs.follow(name, version, listener);
  }

  /** The recent output of a version's instances, if its provider keeps logs. */
  public List<String> logs(String name, String version, int maxLines) {
    FunctionVersion target = FunctionService.requireVersion(registry.require(name), version);
    FunctionProvider provider = providers.forRuntime(target.spec().runtime());
    FunctionLogs logs = provider.capability(FunctionLogs.class).orElseThrow(() -> new FaasException(
        FaasException.Reason.NOT_SUPPORTED, "the " + provider.name() + " provider does not keep logs"));
    return logs.logs(target.spec().ref(), maxLines);
  }

  /** The requests to a version that ended on this node and its 5xx among them; null without metrics. */
  public Metrics.RequestCounts requestCounts(FunctionRef ref) {
    return metrics.requestCounts(ref);
  }

  /**
   * Whether the idle policy leaves a version running: when the latest is kept warm, so are the
   * versions weighted aliases send traffic to.
   */
  public boolean keptWarm(FunctionRef ref) {
    return keepLatestWarm && registry.get(ref.name()).map(state -> state.latest().equals(ref.version())
        || FunctionService.weightedVersions(state).contains(ref.version())).orElse(false);
  }

  private FunctionView view(FunctionState state) {
    List<VersionView> versions = new ArrayList<>();
    for (FunctionVersion v : state.versions()) {
      List<String> aliases = state.aliases().entrySet().stream()
          .filter(e -> e.getValue().equals(v.version())).map(Map.Entry::getKey).sorted().toList();
      FunctionRef ref = v.spec().ref();
      String host = addresses.host(state.name(), v.version());
      versions.add(new VersionView(v, v.version().equals(state.latest()), aliases, instances.status(ref),
          instances.activeRequests(ref), host, addresses.url(host)));
    }
    return new FunctionView(state, versions);
  }
}
