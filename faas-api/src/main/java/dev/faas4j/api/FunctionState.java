package dev.faas4j.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything known about one function: its versions, its aliases, which version is the latest,
 * and a revision number that grows by one with every change.
 *
 * <p>This is the unit a {@link FunctionStore} persists atomically. The revision lets concurrent
 * writers (threads, or several gateways sharing a database) detect that the state they read is
 * stale: see {@link FunctionStore#save(FunctionState)}.
 *
 * <p>Invariants, checked by the constructor: versions are unique, {@code latest} names one of
 * them, every alias points at one of them, and no alias has the name of a version. Version and
 * alias names are canonical (lower case). A weighted alias (one with a {@link TrafficSplit} in
 * {@code splits}) names only kept versions, and {@code aliases} maps it to its split's
 * {@linkplain TrafficSplit#primary() primary} version, so that a reader that knows nothing of
 * weights still sees where most of its traffic goes.
 *
 * @param name the function's name, in the spelling it was first deployed with
 * @param revision 1 for a new function, then one more for every saved change
 * @param versions every kept version, oldest first
 * @param aliases alias name to version name
 * @param latest the version that {@code {name}.{domain}} serves
 * @param splits alias name to the weights of a weighted alias; an alias not in it sends all of its
 *     traffic to the one version {@code aliases} names
 */
public record FunctionState(
    String name,
    long revision,
    List<FunctionVersion> versions,
    Map<String, String> aliases,
    String latest,
    Map<String, TrafficSplit> splits) {

  /** A state without weighted aliases. */
  public FunctionState(String name, long revision, List<FunctionVersion> versions, Map<String, String> aliases,
      String latest) {
    this(name, revision, versions, aliases, latest, Map.of());
  }

  public FunctionState {
    Validation.requireLabel("function name", name);
    if (revision < 1) {
      throw new IllegalArgumentException("revision must be at least 1: " + revision);
    }
    versions = List.copyOf(versions);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("a function has at least one version");
    }
    Map<String, String> canonicalAliases = new LinkedHashMap<>();
    aliases.forEach((alias, version) -> canonicalAliases.put(
        Validation.canonical(Validation.requireLabel("alias", alias)), Validation.canonical(version)));
    aliases = java.util.Collections.unmodifiableMap(canonicalAliases);
    latest = Validation.canonical(Objects.requireNonNull(latest, "latest"));

    Map<String, FunctionVersion> byName = new LinkedHashMap<>();
    for (FunctionVersion v : versions) {
      if (!Validation.canonical(v.spec().name()).equals(Validation.canonical(name))) {
        throw new IllegalArgumentException("version " + v.version() + " belongs to " + v.spec().name() + ", not " + name);
      }
      if (byName.put(v.version(), v) != null) {
        throw new IllegalArgumentException("version " + v.version() + " appears twice");
      }
    }
    if (!byName.containsKey(latest)) {
      throw new IllegalArgumentException("latest version " + latest + " is not a version of " + name);
    }
    for (Map.Entry<String, String> alias : aliases.entrySet()) {
      if (!byName.containsKey(alias.getValue())) {
        throw new IllegalArgumentException("alias " + alias.getKey() + " points at unknown version " + alias.getValue());
      }
      if (byName.containsKey(alias.getKey())) {
        throw new IllegalArgumentException("alias " + alias.getKey() + " has the name of a version");
      }
    }
    splits = checkSplits(splits, aliases, byName.keySet());
  }

  private static Map<String, TrafficSplit> checkSplits(Map<String, TrafficSplit> splits, Map<String, String> aliases,
      java.util.Set<String> versions) {
    Map<String, TrafficSplit> canonical = new java.util.TreeMap<>();
    Objects.requireNonNull(splits, "splits").forEach((alias, split) -> {
      String key = Validation.canonical(Validation.requireLabel("alias", alias));
      Objects.requireNonNull(split, "split");
      if (!split.primary().equals(aliases.get(key))) {
        throw new IllegalArgumentException("weighted alias " + key + " must be mapped to its primary version "
            + split.primary() + " in aliases, was " + aliases.get(key));
      }
      for (String version : split.weights().keySet()) {
        if (!versions.contains(version)) {
          throw new IllegalArgumentException("weighted alias " + key + " names unknown version " + version);
        }
      }
      canonical.put(key, split);
    });
    return java.util.Collections.unmodifiableMap(canonical);
  }

  /** The weights of a weighted alias (any case), if {@code alias} is one. */
  public Optional<TrafficSplit> split(String alias) {
    return Optional.ofNullable(splits.get(Validation.canonical(alias)));
  }

  /** The canonical (lower-case) name, the key stores and registries use. */
  public String key() {
    return Validation.canonical(name);
  }

  /** The version named {@code version} (any case), if it is kept. */
  public Optional<FunctionVersion> version(String version) {
    String wanted = Validation.canonical(version);
    for (FunctionVersion v : versions) {
      if (v.version().equals(wanted)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /** The version {@code latest} names. */
  public FunctionVersion latestVersion() {
    return version(latest).orElseThrow();
  }

  /**
   * Resolves a version or alias name (any case) to a version: a version name wins, then an
   * alias. Empty if neither exists.
   */
  public Optional<FunctionVersion> resolve(String versionOrAlias) {
    Optional<FunctionVersion> direct = version(versionOrAlias);
    if (direct.isPresent()) {
      return direct;
    }
    String target = aliases.get(Validation.canonical(versionOrAlias));
    return target == null ? Optional.empty() : version(target);
  }
}
