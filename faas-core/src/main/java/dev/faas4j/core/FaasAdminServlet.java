package dev.faas4j.core;

import dev.faas4j.core.internal.admin.AdminApi;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The admin HTTP API. Map it under a prefix of its own, such as {@code /api/*} (the standalone
 * gateway) or {@code /faas4j/api/*} (the Spring Boot starter's default, which leaves {@code /api}
 * to the application); every path below is written under {@code /api} and is relative to the
 * mapping. Error messages name the prefix the request actually came through (its context path and
 * servlet path), e.g. {@code no admin route GET /faas4j/api/nope}.
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
 *   <tr><td>GET</td><td>/api/functions/{name}/versions/{v}/logs[?lines=N][&amp;follow=true]</td><td>recent output;
 *       followed as server-sent events until the client leaves</td></tr>
 *   <tr><td>GET</td><td>/api/functions/{name}/logs[?lines=N][&amp;follow=true]</td><td>every version's output, merged
 *       by time</td></tr>
 *   <tr><td>PUT</td><td>/api/functions/{name}/aliases/{alias}</td><td>{@code {"version":"v1"}}: set or move</td></tr>
 *   <tr><td>DELETE</td><td>/api/functions/{name}/aliases/{alias}</td><td>remove an alias</td></tr>
 *   <tr><td>GET</td><td>/api/functions/{name}/versions/{v}</td><td>one version's code and env names</td></tr>
 *   <tr><td>POST</td><td>/api/functions/{name}/invoke</td><td>{@code {"method","path","headers"?,"body"?,"version"?}}:
 *       calls the function through {@link Faas#invoke} and answers its status, headers and body</td></tr>
 *   <tr><td>GET</td><td>/api/console/</td><td>the web console's static files (served without credentials; every
 *       data call it makes needs them)</td></tr>
 * </table>
 *
 * <p>Deploy body: {@code runtime} (default {@code js}, or {@code docker} when {@code image} is
 * given), {@code code} or {@code image}, optional {@code version}, {@code alias},
 * {@code env_vars} (string to string), {@code labels}, {@code options}, {@code limits}
 * ({@code memory_mb}, {@code cpus}, {@code pids}, {@code timeout_ms}) and {@code network}
 * ({@code allow}, {@code deny}: lists). Unknown fields are refused with 400, so a misspelt field
 * never passes silently. Answers are JSON; errors are {@code {"status":"error","error":"..."}}.
 *
 * <p>Deploy and rollback answers, and each version in a function's description, carry
 * {@code accessUrl} (the version's host, e.g. {@code http://v1.hello.func.local:8080}) and, when a
 * mount path is set, {@code pathUrl} (e.g. {@code http://localhost:8080/fn/hello@v1/}). Their
 * scheme, port and host come from {@link FaasBuilder#publicBaseUrl} or {@link
 * FaasBuilder#publicPort} when set, else from this admin request.
 *
 * <p>Methods: a path above with a method it does not accept is answered 405 with an {@code Allow}
 * header (and the same list in the error message), before the body is read, so it changes nothing;
 * a path not above is 404. {@code OPTIONS} on a path above answers 204 with {@code Allow};
 * {@code HEAD} is accepted wherever {@code GET} is and answers the same status and headers (the
 * servlet container drops the body of an answer to HEAD, as HTTP requires). The
 * {@link AdminAuthenticator} is asked first, for every method and path, {@code OPTIONS} included:
 * without credentials every request is 401, so it learns neither which paths exist nor which
 * methods they take. The one exception is {@code GET /api/console/...}: the web console's static
 * files, which hold no data and are served to anyone with a strict Content-Security-Policy. (The
 * admin API does not answer cross-origin browser requests, so there is no CORS preflight to let
 * through.)
 *
 * <p>Construct it with a {@link Faas} (and an {@link AdminAuthenticator}), or let the container
 * construct it and put the Faas in the servlet context attribute {@link FaasFilter#FAAS_ATTRIBUTE}.
 * Thread-safe.
 */
public final class FaasAdminServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** The largest admin request body accepted: the code limit plus room for env vars and JSON escapes. */
  public static final long DEFAULT_MAX_BODY_BYTES = 32L << 20;

  private transient volatile AdminApi api;
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
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.maxBodyBytes = maxBodyBytes;
    this.api = faas == null ? null
        : new AdminApi(faas.functions(), faas.secrets(), faas.async(), faas::invoke, maxBodyBytes);
  }

  @Override
  public void init() throws ServletException {
    if (api == null) {
      Object attribute = getServletContext().getAttribute(FaasFilter.FAAS_ATTRIBUTE);
      if (!(attribute instanceof Faas configured)) {
        throw new ServletException("FaasAdminServlet has no Faas: construct it with one, or set the servlet"
            + " context attribute " + FaasFilter.FAAS_ATTRIBUTE);
      }
      api = new AdminApi(configured.functions(), configured.secrets(), configured.async(), configured::invoke,
          maxBodyBytes);
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    api.service(request, response, authenticator::authenticate, authenticator::challenge);
  }

  /** Each admin route (written under {@code /api}) and the methods it answers, in {@code Allow} order; for tests. */
  static Map<String, List<String>> allowedMethods() {
    return AdminApi.allowedMethods();
  }
}
