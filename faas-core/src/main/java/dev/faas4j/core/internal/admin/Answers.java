package dev.faas4j.core.internal.admin;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.api.Scaling;
import dev.faas4j.core.internal.Json;
import dev.faas4j.core.internal.control.Addresses;
import dev.faas4j.core.internal.control.Deployed;
import dev.faas4j.core.internal.control.FunctionView;
import dev.faas4j.core.internal.control.VersionView;
import dev.faas4j.core.internal.telemetry.Metrics;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes admin answers: {@code {"status":"success",...}} with fields in a stable order, and
 * {@code {"status":"error","error":"..."}} for every failure. Also the JSON shape of a deployment
 * and of a function, as the original gateway's clients expect them.
 */
final class Answers {

  private Answers() {}

  /** Writes {@code {"status":"success"}} followed by {@code fields}, with status 200. */
  static void ok(HttpServletResponse response, Map<String, Object> fields) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.putAll(fields);
    write(response, 200, Json.MAPPER.writeValueAsBytes(body));
  }

  /** An ordered map from alternating names and values, so answers have a stable field order. */
  static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  /** A deploy's or a rollback's answer; {@code versionField} names the version ({@code targetVersion} for a rollback). */
  static Map<String, Object> deployment(Deployed d, String versionField) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("funcName", d.name());
    body.put(versionField, d.version());
    body.put("alias", d.alias());
    if (versionField.equals("version")) {
      body.put("subdomain", d.subdomain());
    }
    body.put("accessUrl", d.accessUrl());
    if (d.pathUrl() != null) {
      body.put("pathUrl", d.pathUrl());
    }
    return body;
  }

  /**
   * A function with each of its versions, their state on this node, where each is reached as seen
   * through {@code where} and, unless {@code nodes} is null, the ids of the live nodes each version
   * runs on ({@code runningOn}), and, with metrics on, the requests that ended on this node and the
   * 5xx among them ({@code requests}, {@code errors}).
   */
  static Map<String, Object> function(FunctionView view, List<NodeInfo> nodes, Addresses where,
      Function<FunctionRef, Metrics.RequestCounts> counts) {
    FunctionState state = view.state();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", state.name());
    body.put("latest", state.latest());
    body.put("aliases", state.aliases());
    if (!state.splits().isEmpty()) {
      Map<String, Object> weights = new LinkedHashMap<>();
      state.splits().forEach((alias, split) -> weights.put(alias, split.weights()));
      body.put("weights", weights);
    }
    body.put("revision", state.revision());
    List<Object> versions = new ArrayList<>();
    for (VersionView v : view.versions()) {
      Map<String, Object> version = new LinkedHashMap<>();
      version.put("version", v.version().version());
      version.put("runtime", v.version().spec().runtime());
      version.put("createdAt", v.version().createdAt().toString());
      version.put("latest", v.latest());
      version.put("aliases", v.aliases());
      version.put("state", v.status().state().name().toLowerCase(Locale.ROOT));
      if (!v.status().detail().isEmpty()) {
        version.put("detail", v.status().detail());
      }
      version.put("activeRequests", v.activeRequests());
      version.put("replicas", v.status().readyReplicas());
      version.put("scaling", scaling(v.version().spec().scaling()));
      Metrics.RequestCounts requests = counts.apply(v.version().spec().ref());
      if (requests != null) {
        version.put("requests", requests.requests());
        version.put("errors", requests.errors());
      }
      if (nodes != null) {
        FunctionRef ref = v.version().spec().ref();
        version.put("runningOn", nodes.stream().filter(n -> n.running().contains(ref)).map(NodeInfo::id).toList());
      }
      Deployed reached = where.deployed(state.name(), v.version().version(), null);
      version.put("subdomain", reached.subdomain());
      version.put("accessUrl", reached.accessUrl());
      if (reached.pathUrl() != null) {
        version.put("pathUrl", reached.pathUrl());
      }
      versions.add(version);
    }
    body.put("versions", versions);
    return body;
  }

  /** A version's scaling as the deploy body spells it, with the replicas ready on this node now. */
  /** The version's scaling as deployed: a definition, so nothing of what runs now. */
  private static Map<String, Object> scaling(Scaling scaling) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("min", scaling.min());
    body.put("max", scaling.max());
    body.put("target_concurrency", scaling.targetConcurrency());
    body.put("window_ms", scaling.window().toMillis());
    body.put("scale_down_delay_ms", scaling.scaleDownDelay().toMillis());
    return body;
  }

  /** Writes a {@link FaasException} as an error answer with its reason's status. */
  static void error(HttpServletResponse response, FaasException e) throws IOException {
    error(response, e.reason().httpStatus(), e.getMessage(), null, null);
  }

  /**
   * Writes {@code {"status":"error","error":message}} with the given status and one extra header
   * (or none when {@code header} is null), if nothing was sent yet; headers set before are dropped.
   */
  static void error(HttpServletResponse response, int status, String message, String header, String value)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    if (header != null) {
      response.setHeader(header, value);
    }
    write(response, status, Json.errorBody(message));
  }

  private static void write(HttpServletResponse response, int status, byte[] bytes) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** {@code s}, cut to at most 40 characters, for echoing client input in a message. */
  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /** An async call's state, without its request body or headers (they may hold anything). */
  static Map<String, Object> call(dev.faas4j.api.AsyncCall call) {
    Map<String, Object> fields = fields("id", call.id(), "funcName", call.function(),
        "state", call.state().name().toLowerCase(java.util.Locale.ROOT), "attempts", call.attempts(),
        "created", call.created().toString(), "updated", call.updated().toString());
    if (call.selector() != null) {
      fields.put("version", call.selector());
    }
    if (call.state().isPending()) {
      fields.put("nextAttempt", call.notBefore().toString());
    }
    if (call.status() > 0) {
      fields.put("functionStatus", call.status());
    }
    if (call.callbackUrl() != null) {
      fields.put("callbackUrl", call.callbackUrl());
    }
    if (!call.detail().isEmpty()) {
      fields.put("detail", call.detail());
    }
    if (call.node() != null) {
      fields.put("node", call.node());
    }
    return fields;
  }
}
