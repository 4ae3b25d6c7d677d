package dev.faas4j.api;

import java.util.List;

/**
 * Optional provider capability: the recent output of a version's instances.
 *
 * <p>Discover it with {@code provider.capability(FunctionLogs.class)}. Implementations keep a
 * bounded number of lines per version in memory and are thread-safe.
 */
public interface FunctionLogs {

  /**
   * The last lines the version's instances wrote to stdout and stderr, oldest first; at most
   * {@code maxLines}; empty for an unknown version.
   */
  List<String> logs(FunctionRef ref, int maxLines);
}
