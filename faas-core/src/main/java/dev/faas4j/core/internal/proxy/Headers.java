package dev.faas4j.core.internal.proxy;

import java.util.Enumeration;

/**
 * Header rules shared by both directions of the proxy. Stateless; all methods are thread-safe and
 * allocate nothing on the common path (no header named in {@code Connection}).
 */
final class Headers {

  static final String CONNECTION = "Connection";
  static final String UPGRADE = "Upgrade";
  static final String CONTENT_LENGTH = "Content-Length";
  static final String CONTENT_TYPE = "Content-Type";
  static final String TRANSFER_ENCODING = "Transfer-Encoding";
  static final String HOST = "Host";
  static final String X_FORWARDED_FOR = "X-Forwarded-For";
  static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
  static final String X_FORWARDED_HOST = "X-Forwarded-Host";

  /**
   * Headers that describe one hop, not the message (RFC 9110 section 7.6.1), plus
   * {@code Proxy-Connection} (a non-standard relative of {@code Connection}) and {@code Expect}
   * (the servlet container already answered any {@code 100-continue} for its own hop).
   */
  private static final String[] HOP_BY_HOP = {
    "Connection",
    "Keep-Alive",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Proxy-Connection",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Expect",
  };

  private Headers() {}

  /** Whether {@code name} is a hop-by-hop header by definition (case-insensitive). */
  static boolean isHopByHop(String name) {
    for (String hop : HOP_BY_HOP) {
      if (hop.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code name} must not cross the proxy: hop-by-hop by definition, or listed in the
   * message's {@code Connection} header.
   *
   * @param connectionTokens the message's {@code Connection} header values joined with commas, or
   *     null when it has none
   */
  static boolean mustDrop(String name, String connectionTokens) {
    return isHopByHop(name) || (connectionTokens != null && containsToken(connectionTokens, name));
  }

  /** Whether the comma-separated list contains {@code token} (case-insensitive, spaces ignored). */
  static boolean containsToken(String list, String token) {
    int length = list.length();
    int start = 0;
    while (start < length) {
      int end = list.indexOf(',', start);
      if (end < 0) {
        end = length;
      }
      int from = start;
      int to = end;
      while (from < to && isBlank(list.charAt(from))) {
        from++;
      }
      while (to > from && isBlank(list.charAt(to - 1))) {
        to--;
      }
      if (to - from == token.length() && list.regionMatches(true, from, token, 0, token.length())) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  /** All values of a header joined with {@code ", "}, or null when the header is absent. */
  static String joined(Enumeration<String> values) {
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    String first = values.nextElement();
    if (!values.hasMoreElements()) {
      return first;
    }
    StringBuilder all = new StringBuilder(first);
    while (values.hasMoreElements()) {
      all.append(", ").append(values.nextElement());
    }
    return all.toString();
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
