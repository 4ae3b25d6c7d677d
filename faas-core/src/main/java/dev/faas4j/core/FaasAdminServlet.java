package dev.faas4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.core.internal.Json;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    try {
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
    String[] p = pathInfo.substring(1).split("/", -1);
    int n = p.length;

    if (n == 2 && p[0].equals("deploy")) {
      requireMethod(method, "POST");
      ok(response, deploymentBody(faas.deploy(parseDeploy(p[1], body(request)), text(body(request), "alias")),
          "version"));
    } else if (n == 2 && p[0].equals("rollback")) {
      requireMethod(method, "POST");
      ObjectNode body = body(request);
      checkFields(body, Set.of("version", "alias"), "rollback");
      String version = requiredText(body, "version");
      ok(response, deploymentBody(faas.rollback(p[1], version, text(body, "alias")), "targetVersion"));
    } else if (n == 1 && p[0].equals("functions")) {
      requireMethod(method, "GET");
      List<Object> functions = new ArrayList<>();
      for (FunctionInfo info : faas.list()) {
        functions.add(functionBody(info));
      }
      ok(response, fields("functions", functions));
    } else if (n == 2 && p[0].equals("functions")) {
      if (method.equals("GET")) {
        ok(response, fields("function", functionBody(faas.describe(p[1]))));
      } else {
        requireMethod(method, "GET", "DELETE");
        faas.deleteFunction(p[1]);
        ok(response, fields("funcName", p[1], "deleted", true));
      }
    } else if (n == 4 && p[0].equals("functions") && p[2].equals("versions")) {
      requireMethod(method, "DELETE");
      faas.deleteVersion(p[1], p[3], "true".equalsIgnoreCase(request.getParameter("force")));
      ok(response, fields("funcName", p[1], "version", p[3], "deleted", true));
    } else if (n == 5 && p[0].equals("functions") && p[2].equals("versions") && p[4].equals("stop")) {
      requireMethod(method, "POST");
      faas.stop(p[1], p[3]);
      ok(response, fields("funcName", p[1], "version", p[3], "state", "stopped"));
    } else if (n == 5 && p[0].equals("functions") && p[2].equals("versions") && p[4].equals("logs")) {
      requireMethod(method, "GET");
      ok(response, fields("funcName", p[1], "version", p[3],
          "lines", faas.logs(p[1], p[3], intParameter(request, "lines", 100, 10_000))));
    } else if (n == 4 && p[0].equals("functions") && p[2].equals("aliases")) {
      if (method.equals("PUT")) {
        ObjectNode body = body(request);
        checkFields(body, Set.of("version"), "alias");
        Deployment moved = faas.setAlias(p[1], p[3], requiredText(body, "version"));
        ok(response, fields("funcName", moved.name(), "alias", moved.alias(), "version", moved.version()));
      } else {
        requireMethod(method, "PUT", "DELETE");
        faas.removeAlias(p[1], p[3]);
        ok(response, fields("funcName", p[1], "alias", p[3], "deleted", true));
      }
    } else {
      throw FaasException.notFound("no admin route " + method + " /api" + pathInfo + "; see the README for the API");
    }
  }

  /** The request body, parsed once per request. */
  private ObjectNode body(HttpServletRequest request) throws IOException {
    Object parsed = request.getAttribute(ObjectNode.class.getName());
    if (parsed == null) {
      String type = request.getContentType();
      if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
        throw FaasException.invalid("Content-Type must be application/json, was " + type);
      }
      parsed = Json.readObject(request.getInputStream(), maxBodyBytes);
      request.setAttribute(ObjectNode.class.getName(), parsed);
    }
    return (ObjectNode) parsed;
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

  private static void requireMethod(String method, String... allowed) {
    for (String a : allowed) {
      if (a.equals(method)) {
        return;
      }
    }
    throw new FaasException(FaasException.Reason.INVALID_REQUEST,
        "method " + method + " is not allowed here; use " + String.join(" or ", allowed));
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
}
