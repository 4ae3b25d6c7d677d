package dev.faas4j.examples.gateway;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.workerd.WorkerdProvider;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's operator endpoints: {@code GET /metrics} (Prometheus text), {@code GET /healthz}
 * (the process answers) and {@code GET /readyz} (the store answers, workerd can be run, every
 * function was restored). With {@code protect}, each asks for the admin API's credentials.
 *
 * <p>Thread-safe: one instance serves every request.
 */
final class StatusEndpoints extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient PrometheusMeterRegistry metrics;
  private final transient FunctionStore store;
  private final transient WorkerdProvider workerd;
  private final transient AdminAuthenticator authenticator;
  private final boolean protect;
  /** Set once the gateway restored every function and listens. */
  private volatile boolean restored;

  StatusEndpoints(PrometheusMeterRegistry metrics, FunctionStore store, WorkerdProvider workerd,
      AdminAuthenticator authenticator, boolean protect) {
    this.metrics = metrics;
    this.store = store;
    this.workerd = workerd;
    this.authenticator = authenticator;
    this.protect = protect;
  }

  /** Marks the restore done: {@code /readyz} may answer 200 from now on. */
  void restored() {
    restored = true;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
      response.setHeader("Allow", "GET, HEAD");
      send(response, 405, "application/json", error("use GET"));
      return;
    }
    if (protect && !authenticator.authenticate(request)) {
      String challenge = authenticator.challenge();
      if (challenge != null) {
        response.setHeader("WWW-Authenticate", challenge);
      }
      send(response, 401, "application/json", error("the status endpoints need the admin API's credentials"));
      return;
    }
    switch (request.getServletPath()) {
      case "/metrics" -> send(response, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      case "/healthz" -> send(response, 200, "application/json", "{\"status\":\"ok\"}");
      case "/readyz" -> ready(response);
      default -> send(response, 404, "application/json", error("no such status endpoint"));
    }
  }

  private void ready(HttpServletResponse response) throws IOException {
    List<String> problems = new ArrayList<>();
    if (!restored) {
      problems.add("functions are still being restored");
    }
    try {
      store.currentRevision();
    } catch (Exception e) {
      problems.add("the function store does not answer: " + e.getMessage());
    }
    if (!Files.isExecutable(workerd.binary())) {
      problems.add("the workerd binary is not executable: " + workerd.binary());
    }
    if (!Files.isWritable(workerd.dataDir())) {
      problems.add("workerd's directory is not writable: " + workerd.dataDir());
    }
    if (problems.isEmpty()) {
      send(response, 200, "application/json", "{\"status\":\"ready\"}");
    } else {
      send(response, 503, "application/json", error(String.join("; ", problems)));
    }
  }

  private static String error(String message) {
    return "{\"status\":\"error\",\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
        .replaceAll("[\\x00-\\x1f]", " ") + "\"}";
  }

  private static void send(HttpServletResponse response, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType(type);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
