package dev.faas4j.core.internal.admin;

import static dev.faas4j.core.internal.admin.AdminRoute.delete;
import static dev.faas4j.core.internal.admin.AdminRoute.get;
import static dev.faas4j.core.internal.admin.AdminRoute.post;
import static dev.faas4j.core.internal.admin.AdminRoute.put;
import static dev.faas4j.core.internal.admin.AdminRoute.route;
import static dev.faas4j.core.internal.admin.Answers.fields;
import static dev.faas4j.core.internal.admin.Answers.ok;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.LogLine;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.core.internal.admin.AdminRoute.Exchange;
import dev.faas4j.core.internal.control.Addresses;
import dev.faas4j.core.internal.control.Deployed;
import dev.faas4j.core.internal.control.FunctionQueries;
import dev.faas4j.core.internal.control.FunctionService;
import dev.faas4j.core.internal.control.FunctionView;
import dev.faas4j.core.internal.control.VersionView;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.secrets.Secrets;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The route table of the admin API and what each route does: read the request, call the
 * {@link FunctionService}, answer with JSON. The table is the one place both dispatch and the
 * {@code Allow} header are read from; a path matches at most one route.
 */
final class AdminActions {

  static final List<AdminRoute> ROUTES = List.of(
      route("/deploy/{name}", post(AdminActions::deploy)),
      route("/rollback/{name}", post(AdminActions::rollback)),
      route("/functions", get(AdminActions::listFunctions)),
      route("/functions/{name}", get(AdminActions::describeFunction), delete(AdminActions::deleteFunction)),
      route("/functions/{name}/versions/{version}", get(AdminActions::describeVersion),
          delete(AdminActions::deleteVersion)),
      route("/functions/{name}/versions/{version}/stop", post(AdminActions::stopVersion)),
      route("/functions/{name}/versions/{version}/logs", get(AdminActions::versionLogs)),
      route("/functions/{name}/logs", get(AdminActions::functionLogs)),
      route("/functions/{name}/aliases/{alias}", put(AdminActions::setAlias), delete(AdminActions::removeAlias)),
      route("/nodes", get(AdminActions::listNodes)),
      route("/functions/{name}/secrets", get(AdminActions::listSecrets)),
      route("/functions/{name}/secrets/{key}", put(AdminActions::setSecret), delete(AdminActions::deleteSecret)),
      route("/calls/{id}", get(AdminActions::describeCall)),
      route("/functions/{name}/invoke", post(AdminActions::invoke)));

  private final FunctionService functions;
  private final FunctionQueries queries;
  private final Secrets secrets;
  private final AsyncCalls calls;
  private final AdminApi.Invocations invoker;
  private final RequestBodies bodies;

  AdminActions(FunctionService functions, Secrets secrets, AsyncCalls calls, AdminApi.Invocations invoker,
      long maxBodyBytes) {
    this.functions = functions;
    this.queries = functions.queries();
    this.invoker = invoker;
    this.secrets = secrets;
    this.calls = calls;
    this.bodies = new RequestBodies(maxBodyBytes);
  }

  /** Each admin route (as under {@code /api}) and the methods it answers, in {@code Allow} order. */
  static Map<String, List<String>> allowedMethods() {
    Map<String, List<String>> allowed = new LinkedHashMap<>();
    for (AdminRoute route : ROUTES) {
      allowed.put("/api" + route.pattern(), List.of(route.allow().split(", ")));
    }
    return allowed;
  }

  private void deploy(Exchange exchange) throws IOException {
    if (RawDeploys.isScript(exchange.request())) {
      RawDeploys.Deploy raw = RawDeploys.read(exchange.request(), exchange.variable("name"), bodies.maxBodyBytes(),
          functions::newVersion);
      ok(exchange.response(), Answers.deployment(functions.deploy(raw.spec(), raw.alias()), "version"));
      return;
    }
    ObjectNode body = bodies.read(exchange.request());
    Deployed deployed = functions.deploy(bodies.deploySpec(exchange.variable("name"), body, functions::newVersion),
        RequestBodies.text(body, "alias"));
    ok(exchange.response(), Answers.deployment(addresses(exchange).deployed(deployed.name(), deployed.version(),
        deployed.alias()), "version"));
  }

  private void rollback(Exchange exchange) throws IOException {
    ObjectNode body = bodies.read(exchange.request());
    RequestBodies.checkFields(body, Set.of("version", "alias"), "rollback");
    String version = RequestBodies.requiredText(body, "version");
    Deployed deployed = functions.rollback(exchange.variable("name"), version, RequestBodies.text(body, "alias"));
    ok(exchange.response(), Answers.deployment(addresses(exchange).deployed(deployed.name(), deployed.version(),
        deployed.alias()), "targetVersion"));
  }

  private void listFunctions(Exchange exchange) throws IOException {
    Addresses where = addresses(exchange);
    List<Object> list = new ArrayList<>();
    for (FunctionView view : queries.list()) {
      list.add(Answers.function(view, null, where, queries::requestCounts));
    }
    ok(exchange.response(), fields("functions", list));
  }

  private void listNodes(Exchange exchange) throws IOException {
    List<Object> list = new ArrayList<>();
    for (NodeInfo node : queries.nodes()) {
      list.add(fields("id", node.id(), "host", node.host(), "started", node.started().toString(),
          "lastHeartbeat", node.lastSeen().toString(), "running", node.running().stream().map(Object::toString).toList()));
    }
    ok(exchange.response(), fields("nodes", list));
  }

  private void describeFunction(Exchange exchange) throws IOException {
    FunctionView view = queries.describe(exchange.variable("name"));
    List<NodeInfo> nodes;
    try {
      nodes = queries.nodes();
    } catch (FaasException e) {
      nodes = null; // the function is answered without the cluster view
    }
    ok(exchange.response(), fields("function", Answers.function(view, nodes, addresses(exchange),
        queries::requestCounts)));
  }

  /**
   * Where versions are reached, as seen by the admin request: the configured public base URL or
   * port if there is one, else the request's scheme, host, port and context path (an application
   * on port 8080 gets URLs on 8080).
   */
  private Addresses addresses(Exchange exchange) {
    HttpServletRequest request = exchange.request();
    return queries.addresses().seenFrom(request.getScheme(), request.getServerName(), request.getServerPort(),
        request.getContextPath());
  }

  private void deleteFunction(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    functions.deleteFunction(name);
    ok(exchange.response(), fields("funcName", name, "deleted", true));
  }

  /** One version's definition: its code and env names (the console shows them read-only). */
  private void describeVersion(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String wanted = exchange.variable("version");
    for (VersionView view : queries.describe(name).versions()) {
      if (view.version().version().equalsIgnoreCase(wanted)) {
        ok(exchange.response(), fields("version", ConsoleBodies.version(view.version())));
        return;
      }
    }
    throw FaasException.notFound("function " + name + " has no version '" + Answers.abbreviate(wanted) + "'");
  }

  /**
   * Calls the function through {@code Faas.invoke}, the way a client would reach it, and answers
   * what it answered (status, headers, body); a refusal of faas4j's is an error answer as usual.
   */
  private void invoke(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    ObjectNode body = bodies.read(exchange.request());
    FunctionRequest request = ConsoleBodies.request(body);
    FunctionResponse answer = invoker.invoke(name, RequestBodies.text(body, "version"), request);
    ok(exchange.response(), fields("funcName", name, "response", ConsoleBodies.response(answer)));
  }

  private void deleteVersion(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String version = exchange.variable("version");
    functions.deleteVersion(name, version, "true".equalsIgnoreCase(exchange.request().getParameter("force")));
    ok(exchange.response(), fields("funcName", name, "version", version, "deleted", true));
  }

  private void stopVersion(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String version = exchange.variable("version");
    functions.stop(name, version);
    ok(exchange.response(), fields("funcName", name, "version", version, "state", "stopped"));
  }

  private void versionLogs(Exchange exchange) throws IOException {
    logs(exchange, exchange.variable("version"));
  }

  private void functionLogs(Exchange exchange) throws IOException {
    logs(exchange, null);
  }

  /** One version's output (or every version's, merged by time): the last lines, or followed. */
  private void logs(Exchange exchange, String version) throws IOException {
    String name = exchange.variable("name");
    int lines = RequestBodies.intParameter(exchange.request(), "lines", 100, 10_000);
    List<LogLine> last = queries.logLines(name, version, lines);
    if ("true".equalsIgnoreCase(exchange.request().getParameter("follow"))) {
      LogStream.serve(exchange.response(), last, listener -> queries.followLogs(name, version, listener));
      return;
    }
    List<Map<String, Object>> entries = new ArrayList<>();
    for (LogLine line : last) {
      entries.add(fields("time", line.time().toString(), "version", line.version(), "stream", line.stream(),
          "level", line.level().name(), "text", line.text()));
    }
    Map<String, Object> answer = fields("funcName", name);
    if (version != null) {
      answer.put("version", version);
    }
    answer.put("lines", last.stream().map(LogLine::toString).toList());
    answer.put("entries", entries);
    ok(exchange.response(), answer);
  }

  private void setAlias(Exchange exchange) throws IOException {
    ObjectNode body = bodies.read(exchange.request());
    RequestBodies.checkFields(body, Set.of("version", "weights"), "alias");
    if (body.has("weights")) {
      if (body.has("version")) {
        throw FaasException.invalid("give either version (one version) or weights (a split), not both");
      }
      FunctionService.Weighted weighted = functions.setWeights(exchange.variable("name"), exchange.variable("alias"),
          RequestBodies.weights(body));
      ok(exchange.response(), fields("funcName", weighted.name(), "alias", weighted.alias(), "version",
          weighted.split().primary(), "weights", weighted.split().weights()));
      return;
    }
    Deployed moved = functions.setAlias(exchange.variable("name"), exchange.variable("alias"),
        RequestBodies.requiredText(body, "version"));
    ok(exchange.response(), fields("funcName", moved.name(), "alias", moved.alias(), "version", moved.version()));
  }

  private void removeAlias(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String alias = exchange.variable("alias");
    functions.removeAlias(name, alias);
    ok(exchange.response(), fields("funcName", name, "alias", alias, "deleted", true));
  }

  private void listSecrets(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    ok(exchange.response(), fields("funcName", name, "secrets", secrets.names(name)));
  }

  private void setSecret(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String key = exchange.variable("key");
    String value = SecretBodies.value(exchange.request(), bodies.maxBodyBytes());
    List<String> updated = secrets.put(name, key, value);
    ok(exchange.response(), fields("funcName", name, "secret", key, "updatedVersions", updated));
  }

  private void deleteSecret(Exchange exchange) throws IOException {
    String name = exchange.variable("name");
    String key = exchange.variable("key");
    List<String> updated = secrets.delete(name, key);
    ok(exchange.response(), fields("funcName", name, "secret", key, "deleted", true, "updatedVersions", updated));
  }

  private void describeCall(Exchange exchange) throws IOException {
    dev.faas4j.api.AsyncCall call = calls.find(exchange.variable("id"));
    ok(exchange.response(), fields("call", Answers.call(call)));
  }
}
