package dev.faas4j.api;

import java.util.List;
import java.util.function.Consumer;

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

  /**
   * The last lines with their time, version and stream, oldest first; at most {@code maxLines}.
   * The default has no times: it stamps {@link #logs}' lines with the epoch, as "out".
   */
  default List<LogLine> lines(FunctionRef ref, int maxLines) {
    return logs(ref, maxLines).stream()
        .map(text -> new LogLine(java.time.Instant.EPOCH, ref.version(), "out", text)).toList();
  }

  /**
   * Calls {@code listener} with every line the version's instances write from now on, on the
   * provider's thread that read it (the listener must not block), until the returned handle is
   * closed.
   *
   * @throws FaasException NOT_SUPPORTED if the provider cannot follow its logs (the default)
   */
  default AutoCloseable follow(FunctionRef ref, Consumer<LogLine> listener) {
    throw new FaasException(FaasException.Reason.NOT_SUPPORTED, "this provider cannot follow logs as they are written");
  }
}
