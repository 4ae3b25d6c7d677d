package dev.faas4j.core.internal.admin;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.control.FunctionService;
import dev.faas4j.core.internal.proxy.ServletExchange;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.secrets.Secrets;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API behind {@code dev.faas4j.core.FaasAdminServlet}: checks credentials, finds
 * the route of a request in {@link AdminActions#ROUTES}, and maps every outcome to a status in one
 * place: the route's answer, 204 to {@code OPTIONS}, 401 without credentials, 404 for an unknown
 * path, 405 for a method the path does not take, a {@link FaasException}'s own status, and 500
 * (logged) for a bug. The web console's static files ({@link ConsoleFiles}) are the one thing
 * answered without credentials.
 *
 * <p>Thread-safe.
 */
public final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  private final AdminActions actions;
  private final ConsoleFiles console = new ConsoleFiles();

  /**
   * @param secrets the functions' secrets
   * @param calls the asynchronous invocations
   * @param invoker calls a function from the JVM ({@code Faas.invoke}), for the console's invoke panel
   * @param maxBodyBytes the largest request body accepted
   */
  public AdminApi(FunctionService functions, Secrets secrets, AsyncCalls calls, Invocations invoker,
      long maxBodyBytes) {
    this.actions = new AdminActions(functions, secrets, calls, invoker, maxBodyBytes);
  }

  /** Calls a function and returns its whole answer: {@code Faas.invoke}. */
  @FunctionalInterface
  public interface Invocations {
    /** See {@code Faas.invoke}; throws what it throws. */
    FunctionResponse invoke(String name, String versionOrAlias, FunctionRequest request);
  }

  /** Each admin route (as under {@code /api}) and the methods it answers, in {@code Allow} order. */
  public static Map<String, List<String>> allowedMethods() {
    return AdminActions.allowedMethods();
  }

  /**
   * Answers one admin request.
   *
   * @param authenticate whether the request carries valid credentials
   * @param challenge the {@code WWW-Authenticate} value sent with a 401, or null for none
   */
  public void service(HttpServletRequest request, HttpServletResponse servletResponse,
      Predicate<HttpServletRequest> authenticate, Supplier<String> challenge) throws IOException {
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
      if (ConsoleFiles.isConsole(request.getPathInfo())
          && (request.getMethod().equals("GET") || request.getMethod().equals("HEAD"))) {
        // The console's static files hold no data, and a browser cannot send a bearer token when it
        // navigates: they are served to anyone; every data call the console makes is checked below.
        console.serve(request, response);
        return;
      }
      // Credentials first, for every method and path: a request without them learns nothing, not
      // even whether its path or method exists.
      if (!authenticate.test(request)) {
        String value = challenge.get();
        Answers.error(response, FaasException.Reason.UNAUTHORIZED.httpStatus(),
            "authentication required for the admin API", value == null ? null : "WWW-Authenticate", value);
        return;
      }
      dispatch(request, response);
    } catch (FaasException e) {
      Answers.error(response, e);
    } catch (RuntimeException e) {
      LOG.error("admin request {} {} failed", request.getMethod(), request.getRequestURI(), e);
      Answers.error(response, 500, "internal error; see the server log", null, null);
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
    for (AdminRoute route : AdminActions.ROUTES) {
      Map<String, String> variables = route.match(segments);
      if (variables == null) {
        continue;
      }
      if (method.equals("OPTIONS")) {
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
        response.setHeader("Allow", route.allow());
        return;
      }
      AdminRoute.Action action = route.actions().get(method.equals("HEAD") ? "GET" : method);
      if (action == null) {
        // Checked before the body is read or anything is called: a 405 changes nothing.
        Answers.error(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method " + Answers.abbreviate(method)
            + " is not allowed on " + prefix(request) + route.pattern() + "; allowed: " + route.allow(), "Allow",
            route.allow());
        return;
      }
      action.run(actions, new AdminRoute.Exchange(request, response, variables));
      return;
    }
    throw FaasException.notFound("no admin route " + Answers.abbreviate(method) + " " + prefix(request) + pathInfo
        + "; see the README for the API");
  }

  /**
   * Where the admin API is mounted, as the client sees it: the context path and the servlet path,
   * e.g. {@code /api} or {@code /faas4j/api}; messages name it so that they show the real path.
   */
  static String prefix(HttpServletRequest request) {
    String context = request.getContextPath() == null ? "" : request.getContextPath();
    String servlet = request.getServletPath() == null ? "" : request.getServletPath();
    return context + servlet;
  }
}
