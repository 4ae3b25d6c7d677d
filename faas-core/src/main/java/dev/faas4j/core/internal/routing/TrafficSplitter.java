package dev.faas4j.core.internal.routing;

import dev.faas4j.api.TrafficSplit;
import dev.faas4j.core.internal.proxy.ClientExchange;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the version of a weighted alias that serves one request.
 *
 * <p>A request that carries a sticky key (the sticky header, or else the sticky cookie) is placed
 * by a hash of the key alone: the same key always lands on the same point of {@code [0, total)},
 * so on the same version for as long as the weights stay the same, on every node, with no state
 * kept anywhere. Because versions take their ranges in name order, moving weight from one version
 * to the next moves only the keys in the range that changed hands: in a 90/10 canary raised to
 * 80/20 the keys already on the canary stay there. A request without a key is placed at random.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrafficSplitter {

  /** The request header that carries a sticky key, by default. */
  public static final String DEFAULT_STICKY_HEADER = "X-Faas4j-Sticky";
  /** The cookie that carries a sticky key, by default, when the header is absent. */
  public static final String DEFAULT_STICKY_COOKIE = "faas4j-sticky";
  /** The response header that names the version that answered a function request. */
  public static final String VERSION_HEADER = "X-Faas4j-Version";

  private final String stickyHeader;
  private final String stickyCookie;

  /**
   * @param stickyHeader the request header of the sticky key, or null for none
   * @param stickyCookie the cookie of the sticky key, looked at when the header is absent, or null for none
   */
  public TrafficSplitter(String stickyHeader, String stickyCookie) {
    this.stickyHeader = stickyHeader;
    this.stickyCookie = stickyCookie;
  }

  /** The version of {@code split} that serves the request of {@code client}. */
  public String choose(TrafficSplit split, ClientExchange client) {
    String key = stickyKey(client);
    long total = split.total();
    long point = key == null ? ThreadLocalRandom.current().nextLong(total) : point(key, total);
    return split.versionAt(point);
  }

  /** The request's sticky key, or null when it has none (or an empty one). */
  String stickyKey(ClientExchange client) {
    if (stickyHeader != null) {
      String value = client.header(stickyHeader);
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    if (stickyCookie != null) {
      return cookie(client.headerValues("Cookie"), stickyCookie);
    }
    return null;
  }

  /**
   * Where a key lands in {@code [0, total)}: a 64-bit FNV-1a hash of its characters, mixed with
   * MurmurHash3's finaliser so that keys differing in their last character spread over the range.
   */
  static long point(String key, long total) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      hash ^= key.charAt(i);
      hash *= 0x100000001b3L;
    }
    hash ^= hash >>> 33;
    hash *= 0xff51afd7ed558ccdL;
    hash ^= hash >>> 33;
    hash *= 0xc4ceb9fe1a85ec53L;
    hash ^= hash >>> 33;
    return Long.remainderUnsigned(hash, total);
  }

  /** The value of cookie {@code name} in a {@code Cookie} header ({@code a=1; b=2}), or null. */
  static String cookie(String header, String name) {
    if (header == null) {
      return null;
    }
    for (String pair : header.split("[;,]")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).trim().equals(name)) {
        String value = pair.substring(equals + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "TrafficSplitter[header=" + stickyHeader + ", cookie=" + stickyCookie + "]";
  }
}
