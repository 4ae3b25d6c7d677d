package dev.faas4j.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One node (application instance running faas4j) sharing a store, as it last announced itself to
 * a {@link NodeRegistry}.
 *
 * @param id the node's id, unique among the nodes sharing the store: 1 to 200 printable ASCII
 *     characters
 * @param host where the node runs (a host name or address), informational; at most 255 characters
 * @param started when the node started, by its own clock
 * @param lastSeen when the store last heard from it, by the store's clock; ignored by
 *     {@link NodeRegistry#heartbeat}, which stamps it
 * @param running the versions running on the node at its last heartbeat
 */
public record NodeInfo(String id, String host, Instant started, Instant lastSeen, List<FunctionRef> running) {

  /** The longest node id. */
  public static final int MAX_ID_LENGTH = 200;

  /** @throws IllegalArgumentException for an id or host that breaks the rules above */
  public NodeInfo {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH || !id.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException("a node id is 1 to " + MAX_ID_LENGTH
          + " printable ASCII characters without spaces, was '" + Validation.abbreviate(id) + "'");
    }
    Objects.requireNonNull(host, "host");
    if (host.length() > 255) {
      throw new IllegalArgumentException("a node's host is at most 255 characters");
    }
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(lastSeen, "lastSeen");
    running = List.copyOf(running);
  }
}
