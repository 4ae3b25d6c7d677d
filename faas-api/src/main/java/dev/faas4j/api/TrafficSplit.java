package dev.faas4j.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a weighted alias shares its traffic among versions: each version gets a share of the
 * requests in proportion to its weight ({@code {"v1": 90, "v2": 10}} sends nine requests in ten to
 * v1).
 *
 * <p>The weights are kept sorted by version name, so that every node that holds the same split
 * lays the versions out in the same order: a request is placed at a point in {@code [0, total)}
 * and {@link #versionAt(long)} names the version whose range holds it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param weights version name (canonical, lower case) to its weight, sorted by version name
 */
public record TrafficSplit(Map<String, Integer> weights) {

  /** The most versions one split may name. */
  public static final int MAX_VERSIONS = 5;
  /** The largest weight of one version. */
  public static final int MAX_WEIGHT = 1_000_000;

  /**
   * Checks the weights and sorts them by version name.
   *
   * @throws FaasException INVALID_REQUEST if there are no weights or more than {@link #MAX_VERSIONS},
   *     a version is not a DNS label or appears twice (in any case), a weight is negative or over
   *     {@link #MAX_WEIGHT}, or all weights are zero
   */
  public TrafficSplit {
    Objects.requireNonNull(weights, "weights");
    if (weights.isEmpty()) {
      throw FaasException.invalid("weights must name at least one version");
    }
    if (weights.size() > MAX_VERSIONS) {
      throw FaasException.invalid("weights may name at most " + MAX_VERSIONS + " versions, not " + weights.size());
    }
    Map<String, Integer> sorted = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      String version = Validation.canonical(Validation.requireLabel("version", entry.getKey()));
      Integer weight = entry.getValue();
      if (weight == null || weight < 0 || weight > MAX_WEIGHT) {
        throw FaasException.invalid("the weight of " + version + " must be a whole number from 0 to " + MAX_WEIGHT
            + ", was " + weight);
      }
      if (sorted.put(version, weight) != null) {
        throw FaasException.invalid("version " + version + " is named twice in the weights");
      }
      total += weight;
    }
    if (total == 0) {
      throw FaasException.invalid("at least one weight must be more than 0");
    }
    weights = Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
  }

  /** A split with the given versions and weights, in pairs: {@code of("v1", 90, "v2", 10)}. */
  public static TrafficSplit of(Object... versionsAndWeights) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (int i = 0; i + 1 < versionsAndWeights.length; i += 2) {
      weights.put((String) versionsAndWeights[i], (Integer) versionsAndWeights[i + 1]);
    }
    return new TrafficSplit(weights);
  }

  /** The sum of the weights; more than 0. */
  public long total() {
    long total = 0;
    for (int weight : weights.values()) {
      total += weight;
    }
    return total;
  }

  /**
   * The version with the largest weight (the first by name among equals): what an unweighted
   * reader of the alias, such as {@link FunctionState#aliases()}, sees it point at.
   */
  public String primary() {
    String primary = null;
    int best = -1;
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      if (entry.getValue() > best) {
        best = entry.getValue();
        primary = entry.getKey();
      }
    }
    return primary;
  }

  /** Whether {@code version} (canonical) gets any traffic: it is named with a weight above 0. */
  public boolean serves(String version) {
    Integer weight = weights.get(version);
    return weight != null && weight > 0;
  }

  /**
   * The version whose range holds {@code point}: the versions take consecutive ranges of
   * {@code [0, total)}, in name order, each as wide as its weight.
   *
   * @throws IllegalArgumentException if {@code point} is outside {@code [0, total)}
   */
  public String versionAt(long point) {
    if (point < 0 || point >= total()) {
      throw new IllegalArgumentException("point " + point + " is outside [0, " + total() + ")");
    }
    long end = 0;
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      end += entry.getValue();
      if (point < end) {
        return entry.getKey();
      }
    }
    throw new AssertionError("unreachable: the ranges cover [0, total)");
  }
}
