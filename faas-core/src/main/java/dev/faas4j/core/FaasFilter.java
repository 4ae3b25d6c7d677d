package dev.faas4j.core;

import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.routing.FunctionTraffic;
import dev.faas4j.core.internal.routing.Route;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.proxy.ServletExchange;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A servlet filter that serves function traffic and passes every other request down the chain
 * untouched.
 *
 * <p>A request is function traffic when its Host is under the {@link Faas} domain
 * ({@code v1.hello.func.local}, {@code hello.func.local}) or, if a mount path is configured, when
 * its path is under it ({@code /fn/hello@v1/...}). Errors are JSON
 * ({@code {"status":"error","error":"..."}}): 404 unknown function, 503 a version that cannot be
 * started, 502/504 from the instance, 413 a body over the limit.
 *
 * <p>Register it as async-supported ({@code asyncSupported} in the registration; Spring Boot's
 * {@code FilterRegistrationBean} is by default): a function request then leaves the container's
 * thread as soon as it went upstream, and the answer is written with non-blocking writes. Without
 * async support every request holds a container thread until its answer is written.
 *
 * <p>Construct it with a {@link Faas}, or let the container construct it and put the Faas in the
 * servlet context attribute {@link #FAAS_ATTRIBUTE}. Thread-safe.
 */
public final class FaasFilter implements Filter {

  /** The servlet context attribute a container-created filter takes its {@link Faas} from. */
  public static final String FAAS_ATTRIBUTE = Faas.class.getName();

  private volatile Faas faas;

  /** A filter that takes its {@link Faas} from the servlet context at {@link #init}. */
  public FaasFilter() {}

  /** A filter serving the functions of {@code faas}. */
  public FaasFilter(Faas faas) {
    this.faas = java.util.Objects.requireNonNull(faas, "faas");
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (faas == null) {
      Object attribute = config.getServletContext().getAttribute(FAAS_ATTRIBUTE);
      if (!(attribute instanceof Faas configured)) {
        throw new ServletException("FaasFilter has no Faas: construct it with one, or set the servlet context"
            + " attribute " + FAAS_ATTRIBUTE);
      }
      faas = configured;
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest clientToProxyRequest)
        || !(response instanceof HttpServletResponse proxyToClientResponse)) {
      chain.doFilter(request, response);
      return;
    }
    FunctionTraffic traffic = faas.traffic();
    Route route;
    try {
      String path = clientToProxyRequest.getRequestURI().substring(clientToProxyRequest.getContextPath().length());
      Route async = faas.async().route(clientToProxyRequest.getHeader("Host"), path,
          clientToProxyRequest.getQueryString(), clientToProxyRequest.getHeader(AsyncCalls.ASYNC_HEADER));
      if (async != null) {
        faas.async().acceptAnsweringErrors(async, new ServletExchange(clientToProxyRequest, proxyToClientResponse));
        return;
      }
      route = traffic.route(clientToProxyRequest.getHeader("Host"), path, clientToProxyRequest.getQueryString());
    } catch (FaasException e) {
      new ServletExchange(clientToProxyRequest, proxyToClientResponse).sendError(e.reason().httpStatus(), e.getMessage());
      return;
    }
    if (route == null) {
      chain.doFilter(request, response);
      return;
    }
    traffic.serveAnsweringErrors(route, new ServletExchange(clientToProxyRequest, proxyToClientResponse), false);
  }
}
