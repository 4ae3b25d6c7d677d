package dev.faas4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.core.internal.Json;
import dev.faas4j.core.internal.proxy.ServletExchange;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API. Map it at {@code /api/*}; every path below is relative to that mapping.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>POST</td><td>/api/deploy/{name}</td><td>deploy a version (body below)</td></tr>
 *   <tr><td>POST</td><td>/api/rollback/{name}</td><td>{@code {"version":"v1"[,"alias":"a"]}}: latest → v1</td></tr>
 *   <tr><td>GET</td><td>/api/functions</td><td>list functions</td></tr>
 *   <tr><td>GET</td><td>/api/functions/{name}</td><td>one function, each version's state</td></tr>
 *   <tr><td>DELETE</td><td>/api/functions/{name}</td><td>delete a function</td></tr>
 *   <tr><td>POST</td><td>/api/functions/{name}/versions/{v}/stop</td><td>stop a version</td></tr>
 *   <tr><td>DELETE</td><td>/api/functions/{name}/versions/{v}[?force=true]</td><td>delete a version</td></tr>
 *   <tr><td>GET</td><td>/api/functions/{name}/versions/{v}/logs[?lines=N]</td><td>recent output</td></tr>
 *   <tr><td>PUT</td><td>/api/functions/{name}/aliases/{alias}</td><td>{@code {"version":"v1"}}: set or move</td></tr>
 *   <tr><td>DELETE</td><td>/api/functions/{name}/aliases/{alias}</td><td>remove an alias</td></tr>
 * </table>
 *
 * <p>Deploy body: {@code runtime} (default {@code js}, or {@code docker} when {@code image} is
 * given), {@code code} or {@code image}, optional {@code version}, {@code alias},
 * {@code env_vars} (string to string), {@code labels}, {@code options}, {@code limits}
 * ({@code memory_mb}, {@code cpus}, {@code pids}, {@code timeout_ms}) and {@code network}
 * ({@code allow}, {@code deny}: lists). Unknown fields are refused with 400, so a misspelt field
 * never passes silently. Answers are JSON; errors are {@code {"status":"error","error":"..."}}.
 *
 * <p>Methods: a path above with a method it does not accept is answered 405 with an {@code Allow}
 * header (and the same list in the error message), before the body is read, so it changes nothing;
 * a path not above is 404. {@code OPTIONS} on a path above answers 204 with {@code Allow};
 * {@code HEAD} is accepted wherever {@code GET} is and answers the same status and headers (the
 * servlet container drops the body of an answer to HEAD, as HTTP requires). The
 * {@link AdminAuthenticator} is asked first, for every method and path, {@code OPTIONS} included:
 * without credentials every request is 401, so it learns neither which paths exist nor which
 * methods they take. (The admin API does not answer cross-origin browser requests, so there
 * is no CORS preflight to let through.)
 *
 * <p>Construct it with a {@link Faas} (and an {@link AdminAuthenticator}), or let the container
 * construct it and put the Faas in the servlet context attribute {@link FaasFilter#FAAS_ATTRIBUTE}.
 */
public final class FaasAdminServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FaasAdminServlet.class);

  /** The largest admin request body accepted: the code limit plus room for env vars and JSON escapes. */
  public static final long DEFAULT_MAX_BODY_BYTES = 32L << 20;

  private static final Set<String> DEPLOY_FIELDS = Set.of(
      "runtime", "code", "image", "version", "alias", "env_vars", "labels", "options", "limits", "network");
  private static final Set<String> LIMIT_FIELDS = Set.of("memory_mb", "cpus", "pids", "timeout_ms");

  private transient volatile Faas faas;
  private final transient AdminAuthenticator authenticator;
  private final long maxBodyBytes;

  /** A servlet that takes its {@link Faas} from the servlet context and lets every request in. */
  public FaasAdminServlet() {
    this(null, AdminAuthenticator.none());
  }

  /** A servlet for {@code faas} that lets every request in. */
  public FaasAdminServlet(Faas faas) {
    this(faas, AdminAuthenticator.none());
  }

  /** A servlet for {@code faas} guarded by {@code authenticator}. */
  public FaasAdminServlet(Faas faas, AdminAuthenticator authenticator) {
    this(faas, authenticator, DEFAULT_MAX_BODY_BYTES);
  }

  /** A servlet for {@code faas} guarded by {@code authenticator}, accepting bodies up to {@code maxBodyBytes}. */
  public FaasAdminServlet(Faas faas, AdminAuthenticator authenticator, long maxBodyBytes) {
    this.faas = faas;
    this.authenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void init() throws ServletException {
    if (faas == null) {
      Object attribute = getServletContext().getAttribute(FaasFilter.FAAS_ATTRIBUTE);
      if (!(attribute instanceof Faas configured)) {
        throw new ServletException("FaasAdminServlet has no Faas: construct it with one, or set the servlet"
            + " context attribute " + FaasFilter.FAAS_ATTRIBUTE);
      }
      faas = configured;
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse servletResponse) throws IOException {
    // Any answer, early or not, to a body that was not read to its end ends the connection: see
    // ServletExchange.closeIfBodyUnread. Every answer below gets its output stream from here.
    HttpServletResponse response = new HttpServletResponseWrapper(servletResponse) {
      @Override
      public ServletOutputStream getOutputStream() throws IOException {
        ServletExchange.closeIfBodyUnread(request, this);
        return super.getOutputStream();
      }
    };
    try {
      // Credentials first, for every method and path: a request without them learns nothing, not
      // even whether its path or method exists.
      if (!authenticator.authenticate(request)) {
        String challenge = authenticator.challenge();
        Json.writeError(response, FaasException.Reason.UNAUTHORIZED.httpStatus(),
            "authentication required for the admin API", challenge == null ? null : "WWW-Authenticate", challenge);
        return;
      }
      dispatch(request, response);
    } catch (FaasException e) {
      Json.writeError(response, e);
    } catch (RuntimeException e) {
      LOG.error("admin request {} {} failed", request.getMethod(), request.getRequestURI(), e);
      Json.writeError(response, 500, "internal error; see the server log");
    }
  }

  private void dispatch(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String method = request.getMethod();
    if (request.getRequestURI().indexOf(';') >= 0) {
      // A servlet container drops ";params" from path segments: /deploy/a;b would deploy "a".
      throw FaasException.invalid("admin paths may not contain ';' (names are DNS labels: letters, digits and '-')");
    }
    String pathInfo = request.getPathInfo() == null ? "/" : request.getPathInfo();
    String[] segments = pathInfo.substring(1).split("/", -1);
    for (Route route : ROUTES) {
      Map<String, String> variables = route.match(segments);
      if (variables == null) {
        continue;
      }
      if (method.equals("OPTIONS")) {
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        response.setHeader("Allow", route.allow());
        return;
      }
      Action action = route.actions().get(method.equals("HEAD") ? "GET" : method);
      if (action == null) {
        // Checked before the body is read or anything is called: a 405 changes nothing.
        Json.writeError(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method " + abbreviate(method)
            + " is not allowed on /api" + route.pattern() + "; allowed: " + route.allow(), "Allow", route.allow());
        return;
      }
      action.run(this, new Exchange(request, response, variables));
      return;
    }
    throw FaasException.notFound("no admin route " + abbreviate(method) + " /api" + pathInfo
        + "; see the README for the API");
  }

  /**
   * The admin routes: the one table that both dispatch and the {@code Allow} header are read from.
   * A path matches at most one route; {@code {variable}} segments match any one segment (the
   * names are validated by {@link Faas}).
   */
  private static final List<Route> ROUTES = List.of(
      route("/deploy/{name}", post(FaasAdminServlet::deploy)),
      route("/rollback/{name}", post(FaasAdminServlet::rollback)),
      route("/functions", get(FaasAdminServlet::listFunctions)),
      route("/functions/{name}", get(FaasAdminServlet::describeFunction), delete(FaasAdminServlet::deleteFunction)),
      route("/functions/{name}/versions/{version}", delete(FaasAdminServlet::deleteVersion)),
      route("/functions/{name}/versions/{version}/stop", post(FaasAdminServlet::stopVersion)),
      route("/functions/{name}/versions/{version}/logs", get(FaasAdminServlet::versionLogs)),
      route("/functions/{name}/aliases/{alias}", put(FaasAdminServlet::setAlias), delete(FaasAdminServlet::removeAlias)));

  /** Each admin route (as under {@code /api}) and the methods it answers, in {@code Allow} order; for tests. */
  static Map<String, List<String>> allowedMethods() {
    Map<String, List<String>> allowed = new LinkedHashMap<>();
    for (Route route : ROUTES) {
      allowed.put("/api" + route.pattern(), List.of(route.allow().split(", ")));
    }
    return allowed;
  }

  private void deploy(Exchange exchange) throws IOException {
    ObjectNode body = body(exchange.request());
    ok(exchange.response(), deploymentBody(faas.deploy(parseDeploy(exchange.variable("name"), body),
        text(body, "alias")), "version"));
  }

  private void rollback(Exchange exchange) throws IOException {
    ObjectNode body = body(exchange.request());
    checkFields(body, Set.of("version", "alias"), "rollback");
    String version = requiredText(body, "version");
    ok(exchange.response(), deploymentBody(faas.rollback(exchange.variable("name"), version, text(body, "alias")),
        "targetVersion"));
  }

  private void listFunctions(Exchange exchange) throws IOException {
    List<Object> functions = new ArrayList<>();
    for (FunctionInfo info : faas.list()) {
      functions.add(functionBody(info));
    }
    ok(exchange.response(), fields("functions", functions));
  }

  private void describeFunction(Exchange exchange) throws IOException {
    ok(exchange.response(), fields("function", functionBody(faas.describe(exchange.variable("name")))));
  }

  private void deleteFunction(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    faas.deleteFunction(name);
    ok(exchange.response(), fields("funcName", name, "deleted", true));
  }

  private void deleteVersion(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String version = exchange.variable("version");
    faas.deleteVersion(name, version, "true".equalsIgnoreCase(exchange.request().getParameter("force")));
    ok(exchange.response(), fields("funcName", name, "version", version, "deleted", true));
  }

  private void stopVersion(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String version = exchange.variable("version");
    faas.stop(name, version);
    ok(exchange.response(), fields("funcName", name, "version", version, "state", "stopped"));
  }

  private void versionLogs(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String version = exchange.variable("version");
    ok(exchange.response(), fields("funcName", name, "version", version,
        "lines", faas.logs(name, version, intParameter(exchange.request(), "lines", 100, 10_000))));
  }

  private void setAlias(Exchange exchange) throws IOException {
    ObjectNode body = body(exchange.request());
    checkFields(body, Set.of("version"), "alias");
    Deployment moved = faas.setAlias(exchange.variable("name"), exchange.variable("alias"),
        requiredText(body, "version"));
    ok(exchange.response(), fields("funcName", moved.name(), "alias", moved.alias(), "version", moved.version()));
  }

  private void removeAlias(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String alias = exchange.variable("alias");
    faas.removeAlias(name, alias);
    ok(exchange.response(), fields("funcName", name, "alias", alias, "deleted", true));
  }

  /** The request's JSON object body; each route that takes a body reads it once. */
  private ObjectNode body(HttpServletRequest request) throws IOException {
    String type = request.getContentType();
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw FaasException.invalid("Content-Type must be application/json, was " + type);
    }
    return Json.readObject(request.getInputStream(), maxBodyBytes);
  }

  private FunctionSpec parseDeploy(String name, ObjectNode body) {
    checkFields(body, DEPLOY_FIELDS, "deploy");
    String code = text(body, "code");
    String image = text(body, "image");
    String runtime = text(body, "runtime");
    if (runtime == null) {
      runtime = image != null && code == null ? "docker" : "js";
    }
    String version = text(body, "version");
    return FunctionSpec.builder(name)
        .version(version == null || version.isEmpty() ? faas.newVersion() : version)
        .runtime(runtime)
        .code(code)
        .image(image)
        .env(stringMap(body, "env_vars"))
        .limits(limits(body.get("limits")))
        .network(network(body.get("network")))
        .labels(stringMap(body, "labels"))
        .options(stringMap(body, "options"))
        .build();
  }

  private static Limits limits(JsonNode node) {
    if (node == null || node.isNull()) {
      return Limits.NONE;
    }
    if (!node.isObject()) {
      throw FaasException.invalid("limits must be an object with " + LIMIT_FIELDS);
    }
    checkFields((ObjectNode) node, LIMIT_FIELDS, "limits");
    long memoryMb = wholeNumber(node, "memory_mb");
    long pids = wholeNumber(node, "pids");
    long timeoutMs = wholeNumber(node, "timeout_ms");
    JsonNode cpus = node.get("cpus");
    if (cpus != null && !cpus.isNumber()) {
      throw FaasException.invalid("limits.cpus must be a number");
    }
    return new Limits(memoryMb << 20, cpus == null ? 0 : cpus.asDouble(), (int) Math.min(pids, Integer.MAX_VALUE),
        timeoutMs == 0 ? null : Duration.ofMillis(timeoutMs));
  }

  private static long wholeNumber(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      return 0;
    }
    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > (1L << 40)) {
      throw FaasException.invalid("limits." + field + " must be a non-negative whole number");
    }
    return value.asLong();
  }

  private static NetworkPolicy network(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw FaasException.invalid("network must be an object with allow and deny lists");
    }
    checkFields((ObjectNode) node, Set.of("allow", "deny"), "network");
    return new NetworkPolicy(stringList(node, "allow"), stringList(node, "deny"));
  }

  private static List<String> stringList(JsonNode node, String field) {
    JsonNode value = node.get(field);
    List<String> list = new ArrayList<>();
    if (value == null || value.isNull()) {
      return list;
    }
    if (!value.isArray()) {
      throw FaasException.invalid("network." + field + " must be a list of strings");
    }
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw FaasException.invalid("network." + field + " must be a list of strings");
      }
      list.add(item.asText());
    }
    return list;
  }

  private static Map<String, String> stringMap(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    Map<String, String> map = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return map;
    }
    if (!node.isObject()) {
      throw FaasException.invalid(field + " must be an object of string values");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      if (!entry.getValue().isTextual()) {
        throw FaasException.invalid(field + "." + entry.getKey() + " must be a string, was "
            + entry.getValue().getNodeType().name().toLowerCase(java.util.Locale.ROOT));
      }
      map.put(entry.getKey(), entry.getValue().asText());
    }
    return map;
  }

  private static void checkFields(ObjectNode body, Set<String> allowed, String what) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw FaasException.invalid("unknown field '" + abbreviate(name) + "' in " + what + " request; allowed: "
            + allowed.stream().sorted().toList());
      }
    }
  }

  private static String text(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw FaasException.invalid(field + " must be a string");
    }
    return node.asText();
  }

  private static String requiredText(ObjectNode body, String field) {
    String value = text(body, field);
    if (value == null || value.isEmpty()) {
      throw FaasException.invalid(field + " is required");
    }
    return value;
  }

  private static int intParameter(HttpServletRequest request, String name, int defaultValue, int max) {
    String value = request.getParameter(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < 1 || parsed > max) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw FaasException.invalid(name + " must be a whole number from 1 to " + max);
    }
  }

  private static Map<String, Object> deploymentBody(Deployment d, String versionField) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("funcName", d.name());
    body.put(versionField, d.version());
    body.put("alias", d.alias());
    if (versionField.equals("version")) {
      body.put("subdomain", d.subdomain());
    }
    body.put("accessUrl", d.accessUrl());
    return body;
  }

  private static Map<String, Object> functionBody(FunctionInfo info) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", info.name());
    body.put("latest", info.latest());
    body.put("aliases", info.aliases());
    body.put("revision", info.revision());
    List<Object> versions = new ArrayList<>();
    for (VersionInfo v : info.versions()) {
      Map<String, Object> version = new LinkedHashMap<>();
      version.put("version", v.version());
      version.put("runtime", v.runtime());
      version.put("createdAt", v.createdAt().toString());
      version.put("latest", v.latest());
      version.put("aliases", v.aliases());
      version.put("state", v.state().name().toLowerCase(java.util.Locale.ROOT));
      if (!v.detail().isEmpty()) {
        version.put("detail", v.detail());
      }
      version.put("activeRequests", v.activeRequests());
      version.put("subdomain", v.subdomain());
      version.put("accessUrl", v.accessUrl());
      versions.add(version);
    }
    body.put("versions", versions);
    return body;
  }

  /** An ordered map from alternating names and values, so answers have a stable field order. */
  private static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  private static void ok(HttpServletResponse response, Map<String, Object> fields) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.putAll(fields);
    Json.write(response, 200, body);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** What one method of one route does. */
  @FunctionalInterface
  private interface Action {
    void run(FaasAdminServlet servlet, Exchange exchange) throws IOException;
  }

  /** A request being answered, with the values of its route's {@code {variable}} segments. */
  private record Exchange(HttpServletRequest request, HttpServletResponse response, Map<String, String> variables) {
    String variable(String name) {
      return variables.get(name);
    }
  }

  /** A method and what it does on a route. */
  private record Handler(String method, Action action) {}

  private static Handler get(Action action) {
    return new Handler("GET", action);
  }

  private static Handler post(Action action) {
    return new Handler("POST", action);
  }

  private static Handler put(Action action) {
    return new Handler("PUT", action);
  }

  private static Handler delete(Action action) {
    return new Handler("DELETE", action);
  }

  /**
   * A path pattern such as {@code /functions/{name}} and the methods it accepts. {@code allow} is
   * the {@code Allow} header: its methods, {@code HEAD} with {@code GET}, and {@code OPTIONS}.
   */
  private record Route(String pattern, List<String> segments, Map<String, Action> actions, String allow) {

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
  }

  private static Route route(String pattern, Handler... handlers) {
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
    return new Route(pattern, List.of(pattern.substring(1).split("/", -1)), Map.copyOf(actions),
        String.join(", ", allow));
  }
}
