package dev.faas4j.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An HTTP request as an in-process {@link FunctionHandler} sees it, and as an application hands it
 * to {@code Faas.invoke}.
 *
 * <p>Header names are case-insensitive: {@link #header(String)} finds {@code Content-Type} when
 * asked for {@code content-type}. The body array is not copied; handlers must not modify it.
 *
 * <p>For {@code Faas.invoke}, the factories and {@code with...} methods build one step by step;
 * each returns a new request, so a request can be shared and reused:
 *
 * <pre>{@code
 * FunctionRequest.get("/users?id=7").withHeader("Accept", "application/json");
 * FunctionRequest.post("/orders", "{\"item\":3}").withHeader("Content-Type", "application/json");
 * }</pre>
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

  /**
   * A request without headers or body.
   *
   * @param method an HTTP method token, e.g. {@code GET}
   * @param pathAndQuery the path, starting with {@code /}, with an optional {@code ?query}
   * @throws IllegalArgumentException if the path does not start with {@code /} or the method is not a token
   */
  public static FunctionRequest of(String method, String pathAndQuery) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    if (method.isEmpty() || !method.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
      throw new IllegalArgumentException("method must be an HTTP token such as GET, was '" + method + "'");
    }
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("the path must start with '/', was '" + pathAndQuery + "'");
    }
    int question = pathAndQuery.indexOf('?');
    return question < 0
        ? new FunctionRequest(method, pathAndQuery, "", Map.of(), null)
        : new FunctionRequest(method, pathAndQuery.substring(0, question), pathAndQuery.substring(question + 1), Map.of(), null);
  }

  /** A {@code GET} of {@code pathAndQuery} (e.g. {@code /x?a=1}), without body. */
  public static FunctionRequest get(String pathAndQuery) {
    return of("GET", pathAndQuery);
  }

  /** A {@code POST} of a UTF-8 text body; add a {@code Content-Type} with {@link #withHeader} if the function needs one. */
  public static FunctionRequest post(String pathAndQuery, String body) {
    return of("POST", pathAndQuery).withBody(body.getBytes(StandardCharsets.UTF_8));
  }

  /** A {@code POST} of a binary body (not copied). */
  public static FunctionRequest post(String pathAndQuery, byte[] body) {
    return of("POST", pathAndQuery).withBody(body);
  }

  /** This request with one more value of a header (any values it had are kept). */
  public FunctionRequest withHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    TreeMap<String, List<String>> more = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    more.putAll(headers);
    List<String> values = new java.util.ArrayList<>(more.getOrDefault(name, List.of()));
    values.add(value);
    more.put(name, values);
    return new FunctionRequest(method, path, query, more, body);
  }

  /** This request with another body (not copied). */
  public FunctionRequest withBody(byte[] body) {
    return new FunctionRequest(method, path, query, headers, body);
  }

  /** The path and, if there is one, {@code ?} and the query: what a function is asked for. */
  public String pathAndQuery() {
    return query.isEmpty() ? path : path + "?" + query;
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
