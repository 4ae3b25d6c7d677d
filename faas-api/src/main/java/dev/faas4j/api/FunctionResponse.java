package dev.faas4j.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An HTTP response: what an in-process {@link FunctionHandler} answers, and what {@code
 * Faas.invoke} returns from any function.
 *
 * @param status the status code, 100 to 599
 * @param headers response headers
 * @param body the body, possibly empty; not copied
 */
public record FunctionResponse(int status, Map<String, List<String>> headers, byte[] body) {

  public FunctionResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100-599: " + status);
    }
    headers = Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  /** A {@code text/plain; charset=utf-8} response. */
  public static FunctionResponse text(int status, String body) {
    return new FunctionResponse(status, Map.of("Content-Type", List.of("text/plain; charset=utf-8")),
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** The first value of a header, its name compared ignoring case, or null. */
  public String header(String name) {
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
        return header.getValue().get(0);
      }
    }
    return null;
  }

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** A 200 {@code text/plain} response. */
  public static FunctionResponse ok(String body) {
    return text(200, body);
  }
}
