package dev.faas4j.core.internal.http;

import java.util.List;

/**
 * The head of an upstream's HTTP/1.x response, as {@link ResponseParser} read it. Immutable.
 *
 * @param status the final status code, 200 to 599 (1xx heads are skipped by the parser), or 101
 *     when the request asked to switch protocols and the upstream agreed
 * @param fields every header field in the order received, hop-by-hop ones included (a proxy
 *     drops those when it copies the head)
 * @param contentLength the body's length when it is known in advance (from {@code Content-Length},
 *     or 0 when the response has no body: a {@code HEAD} request, 204, 304); -1 when the body runs
 *     to the last chunk or to the end of the connection
 */
public record ResponseHead(int status, List<Field> fields, long contentLength) {

  /** One header field; the value is trimmed of surrounding white space, decoded as ISO-8859-1. */
  public record Field(String name, String value) {}

  public ResponseHead {
    fields = List.copyOf(fields);
  }
}
