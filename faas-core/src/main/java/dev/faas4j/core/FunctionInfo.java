package dev.faas4j.core;

import java.util.List;
import java.util.Map;

/**
 * A function as {@link Faas#describe(String)} and {@link Faas#list()} report it.
 *
 * @param name its name, in the spelling it was first deployed with
 * @param latest the version its bare host serves
 * @param aliases alias to version; a weighted alias to its primary version (its largest weight)
 * @param revision how many changes it has had (grows by one with each)
 * @param versions every kept version, oldest first
 * @param weights each weighted alias to its versions and their weights (sorted by version name);
 *     an alias not in it sends all of its traffic to the version {@code aliases} names
 */
public record FunctionInfo(String name, String latest, Map<String, String> aliases, long revision,
    List<VersionInfo> versions, Map<String, Map<String, Integer>> weights) {

  /** A function without weighted aliases. */
  public FunctionInfo(String name, String latest, Map<String, String> aliases, long revision,
      List<VersionInfo> versions) {
    this(name, latest, aliases, revision, versions, Map.of());
  }
}
