package dev.faas4j.api;

import java.time.Duration;
import java.util.List;

/**
 * A directory of the nodes sharing a {@link FunctionStore}, kept by heartbeats: an optional
 * capability a store may implement besides {@code FunctionStore}. Each node rewrites its entry
 * every few seconds; a node that stopped doing so (it crashed, or lost the database) drops out of
 * {@link #liveNodes} once its last heartbeat is older than the expiry asked for.
 *
 * <p>Implementations are thread-safe and stamp heartbeats with one clock for all nodes (the
 * database's), so that the nodes' own clocks do not decide who is live. Methods may throw what
 * the store throws.
 */
public interface NodeRegistry {

  /**
   * Records that the node is alive now: creates its entry or replaces it, stamping
   * {@link NodeInfo#lastSeen()} with the store's time.
   */
  void heartbeat(NodeInfo node) throws Exception;

  /**
   * The nodes whose last heartbeat is at most {@code expiry} old, sorted by id.
   *
   * @throws IllegalArgumentException if {@code expiry} is not positive
   */
  List<NodeInfo> liveNodes(Duration expiry) throws Exception;

  /** Removes a node's entry, as a node shutting down does. Idempotent. */
  void removeNode(String id) throws Exception;

  /** Checks the argument of {@link #liveNodes(Duration)}, for implementations. */
  static void checkExpiry(Duration expiry) {
    if (expiry == null || expiry.isNegative() || expiry.isZero()) {
      throw new IllegalArgumentException("expiry must be positive, was " + expiry);
    }
  }

  /** The running versions as stores keep them in one text: {@code name:version}, comma-separated. */
  static String encodeRunning(List<FunctionRef> running) {
    StringBuilder text = new StringBuilder();
    for (FunctionRef ref : running) {
      if (!text.isEmpty()) {
        text.append(',');
      }
      text.append(ref.name()).append(':').append(ref.version());
    }
    return text.toString();
  }

  /** Reads what {@link #encodeRunning} wrote. */
  static List<FunctionRef> decodeRunning(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    return java.util.Arrays.stream(text.split(",")).map(entry -> {
      int colon = entry.indexOf(':');
      return new FunctionRef(entry.substring(0, colon), entry.substring(colon + 1));
    }).toList();
  }
}
