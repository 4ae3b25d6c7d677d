package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.http.ResponseHead;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What crosses the proxy, header by header, on each leg: the {@code proxyToServerRequest} head built
 * from the {@code clientToProxyRequest} (hop-by-hop headers and those named in {@code Connection}
 * dropped, {@code Host} kept, {@code X-Forwarded-*} set by this hop, the body's framing declared
 * anew), the same headers as a map for an in-process function, and the {@code serverToProxyResponse}
 * head copied to the {@code proxyToClientResponse}. Field text that would change the framing
 * upstream is refused with {@link Reason#INVALID_REQUEST}.
 *
 * <p>Stateless; thread-safe.
 */
final class ForwardingRules {

  private ForwardingRules() {}

  /** The request line and header fields to send upstream, ending with the empty line. */
  static byte[] requestHead(
      ClientExchange client,
      String method,
      String upstreamPathAndQuery,
      Endpoint.Http endpoint,
      boolean hasBody,
      long declaredLength,
      boolean forwardedHeaders) {
    return requestHead(client, method, upstreamPathAndQuery, endpoint, hasBody, declaredLength, forwardedHeaders, false);
  }

  /**
   * The head of a request that asks to switch protocols: as {@link #requestHead}, with no body, and
   * with {@code Connection: Upgrade} and the client's {@code Upgrade} kept (they are hop-by-hop, but
   * this hop passes the switch on); {@code Sec-WebSocket-*} fields go on like any end-to-end field.
   */
  static byte[] upgradeRequestHead(ClientExchange client, String upstreamPathAndQuery, Endpoint.Http endpoint,
      boolean forwardedHeaders) {
    return requestHead(client, client.method(), upstreamPathAndQuery, endpoint, false, 0, forwardedHeaders, true);
  }

  private static byte[] requestHead(ClientExchange client, String method, String upstreamPathAndQuery,
      Endpoint.Http endpoint, boolean hasBody, long declaredLength, boolean forwardedHeaders, boolean upgrade) {
    requireFieldText(upstreamPathAndQuery, "request target", false);
    HeadBytes head = new HeadBytes();
    head.append(method).append(" ").append(upstreamPathAndQuery).append(" HTTP/1.1\r\n");
    String connectionTokens = client.headerValues(Headers.CONNECTION);
    boolean[] hasHost = {false};
    client.forEachHeader((name, value) -> {
      if (isForwarded(name, connectionTokens) && !name.equalsIgnoreCase(Headers.CONTENT_LENGTH)) {
        hasHost[0] |= name.equalsIgnoreCase(Headers.HOST);
        appendField(head, name, value);
      }
    });
    if (!hasHost[0]) {
      appendField(head, Headers.HOST, endpoint.baseUri().getRawAuthority());
    }
    appendField(head, Hops.HEADER, Hops.next(client));
    appendField(head, RequestIds.HEADER, client.requestId());
    if (forwardedHeaders) {
      appendField(head, Headers.X_FORWARDED_FOR, forwardedFor(client, connectionTokens));
      appendField(head, Headers.X_FORWARDED_PROTO, client.scheme());
      appendField(head, Headers.X_FORWARDED_HOST, forwardedHost(client));
    }
    if (upgrade) {
      appendField(head, Headers.CONNECTION, Headers.UPGRADE);
      appendField(head, Headers.UPGRADE, client.headerValues(Headers.UPGRADE));
    }
    if (hasBody) {
      if (declaredLength >= 0) {
        appendField(head, Headers.CONTENT_LENGTH, Long.toString(declaredLength));
      } else {
        appendField(head, Headers.TRANSFER_ENCODING, "chunked");
      }
    }
    head.append("\r\n");
    return head.toByteArray();
  }

  /**
   * Whether a request header goes on to the function: not hop-by-hop, not named in {@code
   * Connection}, and not one of the X-Forwarded-*, {@link Hops} or request id headers this hop sets
   * itself.
   * {@code Host} goes on even when {@code Connection} names it: the host is what the request is
   * for, not a property of one hop, and dropping it made the function see the instance's own
   * loopback address instead.
   */
  private static boolean isForwarded(String name, String connectionTokens) {
    boolean host = name.equalsIgnoreCase(Headers.HOST);
    return !Headers.mustDrop(name, host ? null : connectionTokens)
        && !name.equalsIgnoreCase(Headers.X_FORWARDED_FOR)
        && !name.equalsIgnoreCase(Headers.X_FORWARDED_PROTO)
        && !name.equalsIgnoreCase(Headers.X_FORWARDED_HOST)
        && !name.equalsIgnoreCase(Hops.HEADER)
        && !name.equalsIgnoreCase(RequestIds.HEADER);
  }

  private static void appendField(HeadBytes head, String name, String value) {
    requireFieldText(name, "header name", false);
    requireFieldText(value, "value of header " + name, true);
    head.append(name).append(": ").append(value).append("\r\n");
  }

  /**
   * Refuses text that would change the request's framing upstream: line breaks and other control
   * characters (the container normally rejects them first; this is the last line of defence).
   */
  private static void requireFieldText(String text, String what, boolean spacesAllowed) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && !(spacesAllowed && c == '\t')) || c == 0x7f || (c == ' ' && !spacesAllowed)) {
        throw new FaasException(
            Reason.INVALID_REQUEST, "the " + what + " contains a character not allowed there");
      }
    }
  }
  static Map<String, List<String>> requestHeaders(ClientExchange client, boolean forwardedHeaders) {
    String connectionTokens = client.headerValues(Headers.CONNECTION);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    client.forEachHeader((name, value) -> {
      if (isForwarded(name, connectionTokens)) {
        headers.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      }
    });
    headers.put(Hops.HEADER, List.of(Hops.next(client)));
    headers.put(RequestIds.HEADER, List.of(client.requestId()));
    if (forwardedHeaders) {
      headers.put(Headers.X_FORWARDED_FOR, List.of(forwardedFor(client, connectionTokens)));
      headers.put(Headers.X_FORWARDED_PROTO, List.of(client.scheme()));
      headers.put(Headers.X_FORWARDED_HOST, List.of(forwardedHost(client)));
    }
    return headers;
  }

  /** Copies the function's response headers, less hop-by-hop ones, to the client's response. */
  static void copyResponseHeaders(List<ResponseHead.Field> fields, ClientExchange proxyToClientResponse) {
    String connectionTokens = null;
    for (ResponseHead.Field field : fields) {
      if (field.name().equalsIgnoreCase(Headers.CONNECTION)) {
        connectionTokens =
            connectionTokens == null ? field.value() : connectionTokens + ", " + field.value();
      }
    }
    for (int i = 0; i < fields.size(); i++) {
      ResponseHead.Field field = fields.get(i);
      if (Headers.mustDrop(field.name(), connectionTokens)) {
        continue;
      }
      // the first value replaces what the container may have put there (Date, Server), the rest add
      if (firstWithName(fields, i)) {
        proxyToClientResponse.setHeader(field.name(), field.value());
      } else {
        proxyToClientResponse.addHeader(field.name(), field.value());
      }
    }
  }

  private static boolean firstWithName(List<ResponseHead.Field> fields, int index) {
    String name = fields.get(index).name();
    for (int i = 0; i < index; i++) {
      if (fields.get(i).name().equalsIgnoreCase(name)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A request head's bytes as they are appended, in ISO-8859-1 (a character beyond it becomes
   * {@code ?}, as {@code String.getBytes} would make it): one array copy at the end instead of a
   * {@code StringBuilder}, its {@code String} and the bytes encoded from it.
   */
  private static final class HeadBytes {
    private byte[] bytes = new byte[512];
    private int length;

    HeadBytes append(String text) {
      int n = text.length();
      if (length + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
      }
      for (int i = 0; i < n; i++) {
        char c = text.charAt(i);
        bytes[length++] = c <= 0xFF ? (byte) c : (byte) '?';
      }
      return this;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, length);
    }
  }

  // ---- X-Forwarded-*


  private static String forwardedFor(ClientExchange client, String tokens) {
    String clientAddress = client.remoteAddress();
    String earlier =
        tokens != null && Headers.containsToken(tokens, Headers.X_FORWARDED_FOR)
            ? null
            : client.headerValues(Headers.X_FORWARDED_FOR);
    return earlier == null || earlier.isBlank() ? clientAddress : earlier + ", " + clientAddress;
  }

  private static String forwardedHost(ClientExchange client) {
    String host = client.header(Headers.HOST);
    return host != null ? host : client.serverName();
  }
}
