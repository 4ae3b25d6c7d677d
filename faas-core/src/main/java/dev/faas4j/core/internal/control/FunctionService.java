package dev.faas4j.core.internal.control;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.LogLine;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.api.TrafficSplit;
import dev.faas4j.api.Validation;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Providers;
import dev.faas4j.core.internal.telemetry.Metrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's changes to functions: deploy, rollback, aliases, weights, stop, deletes
 * (what is reported of them is {@link FunctionQueries}). A change is committed to the store through the
 * {@link Registry} before it returns, and changes nothing when it throws; the instances follow.
 *
 * <p>Thread-safe. Changes to one function are serialised; changes to different functions run in
 * parallel. Failures are {@link FaasException}s; see {@code dev.faas4j.core.Faas} for which.
 */
public final class FunctionService {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionService.class);

  private final Registry registry;
  private final Instances instances;
  private final Providers providers;
  private final Addresses addresses;
  private final Lifecycle lifecycle;
  private final VersionIds versionIds;
  private final Deployer deployer;
  private final ChangeFollower follower;
  private final boolean keepLatestWarm;
  private final Metrics metrics;
  private final FunctionQueries queries;

  /**
   * @param keepLatestWarm whether each function's latest version is started at deploy and never suspended
   * @param maxCodeBytes the largest function code accepted, in UTF-8 bytes
   * @param follower keeps this node in step with the others; queries catch up with it first
   * @param heartbeat this node's entry in the cluster view
   * @param metrics where deploys are counted by outcome
   */
  public FunctionService(Registry registry, Instances instances, Providers providers, Addresses addresses,
      Lifecycle lifecycle, Clock clock, boolean keepLatestWarm, long maxCodeBytes, ChangeFollower follower,
      NodeHeartbeat heartbeat, Metrics metrics) {
    this.registry = registry;
    this.instances = instances;
    this.providers = providers;
    this.addresses = addresses;
    this.lifecycle = lifecycle;
    this.versionIds = new VersionIds(clock);
    this.deployer = new Deployer(registry, instances, providers, addresses, clock, keepLatestWarm, maxCodeBytes);
    this.keepLatestWarm = keepLatestWarm;
    this.follower = follower;
    this.metrics = metrics;
    this.queries = new FunctionQueries(registry, instances, providers, addresses, keepLatestWarm, follower,
        heartbeat, metrics);
  }

  /**
   * Loads every function from the store and, if {@code eager}, starts each one's latest version
   * on {@code starter} (a version that does not start is logged, not thrown).
   *
   * @return how many functions were restored
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  public int restore(boolean eager, Executor starter) {
    List<FunctionState> restored = registry.restore();
    if (eager) {
      for (FunctionState state : restored) {
        startInBackground(instances, starter, state.latestVersion(), "restored");
      }
    }
    return restored.size();
  }

  /** Starts a committed version on {@code starter}; a start that fails is logged, not thrown. */
  static void startInBackground(Instances instances, Executor starter, FunctionVersion version, String what) {
    starter.execute(() -> {
      try {
        instances.registerCommitted(version.spec());
        instances.start(version.spec().ref());
      } catch (RuntimeException e) {
        LOG.warn("could not start {} {}: {}", what, version.spec().ref(), e.getMessage());
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Changes

  /** A fresh version name: unique in this JVM, sortable in deploy order, a DNS label. */
  public String newVersion() {
    return versionIds.next();
  }

  /** Deploys a version and makes it the latest; see {@link Deployer}. */
  public Deployed deploy(FunctionSpec spec, String alias) {
    lifecycle.checkOpen();
    try {
      Deployed deployed = deployer.deploy(spec, alias);
      metrics.deployed("success");
      return deployed;
    } catch (FaasException e) {
      metrics.deployed(e.reason().name().toLowerCase(java.util.Locale.ROOT));
      throw e;
    } catch (RuntimeException e) {
      metrics.deployed("internal");
      throw e;
    }
  }

  /** Points the latest (and optionally an alias) at a kept version, starting it first when the latest is kept warm. */
  public Deployed rollback(String name, String version, String alias) {
    lifecycle.checkOpen();
    String aliasKey = Deployer.optionalLabel("alias", alias);
    Validation.requireLabel("version", version);
    return registry.write(name, () -> {
      FunctionState state = registry.require(name);
      FunctionVersion target = requireVersion(state, version);
      Deployer.refuseAliasNamedAsVersion(state, aliasKey);
      if (keepLatestWarm) {
        instances.registerCommitted(target.spec());
        instances.start(target.spec().ref());
      }
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      if (aliasKey != null) {
        aliases.put(aliasKey, target.version());
      }
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, target.version(),
          withoutSplit(state, aliasKey)));
      LOG.info("rolled {} back to {}", state.name(), target.version());
      return addresses.deployed(state.name(), target.version(), aliasKey);
    });
  }

  /** Creates an alias or moves it to another version. */
  public Deployed setAlias(String name, String alias, String version) {
    lifecycle.checkOpen();
    String aliasKey = Validation.canonical(Validation.requireLabel("alias", alias));
    Validation.requireLabel("version", version);
    return registry.write(name, () -> {
      FunctionState state = registry.require(name);
      FunctionVersion target = requireVersion(state, version);
      Deployer.refuseAliasNamedAsVersion(state, aliasKey);
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      aliases.put(aliasKey, target.version());
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, state.latest(),
          withoutSplit(state, aliasKey)));
      return addresses.deployed(state.name(), target.version(), aliasKey);
    });
  }

  /**
   * Creates an alias, or changes it, that splits its traffic among versions by weight; the
   * versions that get traffic are started first when the latest is kept warm, and stay warm.
   *
   * @throws FaasException INVALID_REQUEST for bad weights (see {@link TrafficSplit}), NOT_FOUND for
   *     an unknown function or version, CONFLICT if the alias has the name of a version
   */
  public Weighted setWeights(String name, String alias, Map<String, Integer> weights) {
    lifecycle.checkOpen();
    String aliasKey = Validation.canonical(Validation.requireLabel("alias", alias));
    TrafficSplit split = new TrafficSplit(weights);
    return registry.write(name, () -> {
      FunctionState state = registry.require(name);
      for (String version : split.weights().keySet()) {
        requireVersion(state, version);
      }
      Deployer.refuseAliasNamedAsVersion(state, aliasKey);
      if (keepLatestWarm) {
        for (String version : split.weights().keySet()) {
          if (split.serves(version)) {
            FunctionVersion target = state.version(version).orElseThrow();
            instances.registerCommitted(target.spec());
            instances.start(target.spec().ref());
          }
        }
      }
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      aliases.put(aliasKey, split.primary());
      Map<String, TrafficSplit> splits = new LinkedHashMap<>(state.splits());
      splits.put(aliasKey, split);
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, state.latest(),
          splits));
      LOG.info("alias {} of {} now splits traffic {}", aliasKey, state.name(), split.weights());
      return new Weighted(state.name(), aliasKey, split);
    });
  }

  /** What {@link #setWeights} committed: the function's name as deployed, the alias, its weights. */
  public record Weighted(String name, String alias, TrafficSplit split) {}

  /** The state's weighted aliases without {@code alias} (null: all of them), which is about to point at one version. */
  private static Map<String, TrafficSplit> withoutSplit(FunctionState state, String alias) {
    Map<String, TrafficSplit> splits = new LinkedHashMap<>(state.splits());
    if (alias != null) {
      splits.remove(alias);
    }
    return splits;
  }

  /** The versions some weighted alias of {@code state} (null: none) sends traffic to. */
  static Set<String> weightedVersions(FunctionState state) {
    Set<String> versions = new TreeSet<>();
    if (state != null) {
      for (TrafficSplit split : state.splits().values()) {
        split.weights().keySet().stream().filter(split::serves).forEach(versions::add);
      }
    }
    return versions;
  }

  /** Removes an alias. */
  public void removeAlias(String name, String alias) {
    lifecycle.checkOpen();
    String aliasKey = Validation.canonical(Validation.requireLabel("alias", alias));
    registry.write(name, () -> {
      FunctionState state = registry.require(name);
      if (!state.aliases().containsKey(aliasKey)) {
        throw FaasException.notFound("function " + state.name() + " has no alias '" + aliasKey + "'");
      }
      Map<String, String> aliases = new LinkedHashMap<>(state.aliases());
      aliases.remove(aliasKey);
      registry.commit(new FunctionState(state.name(), state.revision() + 1, state.versions(), aliases, state.latest(),
          withoutSplit(state, aliasKey)));
      return null;
    });
  }

  /** Stops a version's instances, here and (through the store's feed) on the other nodes; it stays deployed. */
  public void stop(String name, String version) {
    lifecycle.checkOpen();
    FunctionVersion target = requireVersion(registry.require(name), version);
    instances.stop(target.spec().ref());
    follower.announceStopped(target.spec().ref());
    LOG.info("stopped {}", target.spec().ref());
  }

  /** Deletes one version; one that is pointed at only with {@code force}, its aliases going with it. */
  public void deleteVersion(String name, String version, boolean force) {
    lifecycle.checkOpen();
    Validation.requireLabel("version", version);
    FunctionRef removed = registry.write(name, () -> {
      FunctionState state = registry.require(name);
      FunctionVersion target = requireVersion(state, version);
      String v = target.version();
      List<String> pointers = new ArrayList<>();
      if (state.latest().equals(v)) {
        pointers.add("it is the latest version");
      }
      state.aliases().forEach((a, to) -> {
        if (to.equals(v)) {
          pointers.add("alias '" + a + "' points at it");
        } else if (state.split(a).map(s -> s.weights().containsKey(v)).orElse(false)) {
          pointers.add("weighted alias '" + a + "' names it");
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
        Map<String, TrafficSplit> splits = splitsWithout(state, v, aliases);
        aliases.values().removeIf(v::equals);
        String latest = state.latest().equals(v) ? versions.get(versions.size() - 1).version() : state.latest();
        registry.commit(new FunctionState(state.name(), state.revision() + 1, versions, aliases, latest, splits));
      }
      return target.spec().ref();
    });
    instances.remove(removed);
    LOG.info("deleted {}", removed);
  }

  /** Deletes a function with every version and alias. */
  public void deleteFunction(String name) {
    lifecycle.checkOpen();
    FunctionState deleted = registry.write(name, () -> {
      FunctionState state = registry.require(name);
      registry.delete(state);
      return state;
    });
    for (FunctionVersion version : deleted.versions()) {
      instances.remove(version.spec().ref());
    }
    LOG.info("deleted function {} ({} version(s))", deleted.name(), deleted.versions().size());
  }

  /** What is reported of the functions this service changes. */
  public FunctionQueries queries() {
    return queries;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /**
   * The state's weighted aliases once version {@code v} is deleted: each keeps its other versions
   * if one of them still has weight (its entry in {@code aliases} moving to the new primary), and
   * is removed from both maps otherwise.
   */
  private static Map<String, TrafficSplit> splitsWithout(FunctionState state, String v, Map<String, String> aliases) {
    Map<String, TrafficSplit> splits = new LinkedHashMap<>();
    state.splits().forEach((alias, split) -> {
      if (!split.weights().containsKey(v)) {
        splits.put(alias, split);
        return;
      }
      Map<String, Integer> rest = new LinkedHashMap<>(split.weights());
      rest.remove(v);
      if (rest.values().stream().anyMatch(w -> w > 0)) {
        TrafficSplit kept = new TrafficSplit(rest);
        splits.put(alias, kept);
        aliases.put(alias, kept.primary());
      } else {
        aliases.remove(alias);
      }
    });
    return splits;
  }

  static FunctionVersion requireVersion(FunctionState state, String version) {
    Validation.requireLabel("version", version);
    return state.version(version).orElseThrow(() -> FaasException.notFound(
        "function " + state.name() + " has no version '" + version + "'"));
  }
}
