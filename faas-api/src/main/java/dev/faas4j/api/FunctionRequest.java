package dev.faas4j.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An HTTP request as an in-process {@link FunctionHandler} sees it.
 *
 * <p>Header names are case-insensitive: {@link #header(String)} finds {@code Content-Type} when
 * asked for {@code content-type}. The body array is not copied; handlers must not modify it.
 *
 * @param method the HTTP method
 * @param path the path, starting with {@code /}, without the function's mount prefix
 * @param query the raw query string, or empty
 * @param headers request headers, after hop-by-hop headers were removed
 * @param body the request body, possibly empty
 */
public record FunctionRequest(
    String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

  public FunctionRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    query = query == null ? "" : query;
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    headers = java.util.Collections.unmodifiableMap(copy);
    body = body == null ? new byte[0] : body;
  }

  /** The first value of a header (any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
