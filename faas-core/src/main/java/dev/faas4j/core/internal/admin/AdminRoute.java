package dev.faas4j.core.internal.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A path pattern such as {@code /functions/{name}} (relative to {@code /api}) and what each method
 * it accepts does. {@code allow} is the {@code Allow} header: its methods, {@code HEAD} with
 * {@code GET}, and {@code OPTIONS}. {@code {variable}} segments match any one segment.
 */
record AdminRoute(String pattern, List<String> segments, Map<String, Action> actions, String allow) {

  /** The values of the variables if {@code path} (split at '/') matches, else null. */
  Map<String, String> match(String[] path) {
    if (path.length != segments.size()) {
      return null;
    }
    Map<String, String> variables = new LinkedHashMap<>();
    for (int i = 0; i < path.length; i++) {
      String segment = segments.get(i);
      if (segment.startsWith("{")) {
        variables.put(segment.substring(1, segment.length() - 1), path[i]);
      } else if (!segment.equals(path[i])) {
        return null;
      }
    }
    return variables;
  }

  static AdminRoute route(String pattern, Handler... handlers) {
    Map<String, Action> actions = new LinkedHashMap<>();
    List<String> allow = new ArrayList<>();
    for (Handler handler : handlers) {
      actions.put(handler.method(), handler.action());
      allow.add(handler.method());
      if (handler.method().equals("GET")) {
        allow.add("HEAD");
      }
    }
    allow.add("OPTIONS");
    return new AdminRoute(pattern, List.of(pattern.substring(1).split("/", -1)), Map.copyOf(actions),
        String.join(", ", allow));
  }

  static Handler get(Action action) {
    return new Handler("GET", action);
  }

  static Handler post(Action action) {
    return new Handler("POST", action);
  }

  static Handler put(Action action) {
    return new Handler("PUT", action);
  }

  static Handler delete(Action action) {
    return new Handler("DELETE", action);
  }

  /** What one method of one route does. */
  @FunctionalInterface
  interface Action {
    void run(AdminActions actions, Exchange exchange) throws IOException;
  }

  /** A method and what it does on a route. */
  record Handler(String method, Action action) {}

  /** A request being answered, with the values of its route's {@code {variable}} segments. */
  record Exchange(HttpServletRequest request, HttpServletResponse response, Map<String, String> variables) {
    String variable(String name) {
      return variables.get(name);
    }
  }
}
