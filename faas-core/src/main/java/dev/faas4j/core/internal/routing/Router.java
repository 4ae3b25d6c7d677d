package dev.faas4j.core.internal.routing;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.Validation;
import java.util.Locale;

/**
 * Recognises function traffic, by Host header or by path, without touching any shared state.
 *
 * <ul>
 *   <li>Host {@code {name}.{domain}} → the latest version of {@code name};
 *       {@code {version|alias}.{name}.{domain}} → that version or alias. Ports, a trailing dot and
 *       upper case are ignored. A host under the domain with more labels, or with labels that are
 *       not DNS labels, is function traffic that cannot be routed: {@link #route} throws 404.
 *   <li>Path {@code {mount}/{name}[@{version|alias}][/rest]} when a mount prefix is configured,
 *       e.g. {@code /fn/hello@v1/api?x=1} → version v1 of hello, path {@code /api?x=1}.
 * </ul>
 *
 * <p>Immutable and thread-safe. This is on the hot path: it allocates only the route it returns.
 */
public final class Router {

  private final String domainSuffix;
  private final String mountPrefix;

  /**
   * @param domain the function domain, e.g. {@code func.local}
   * @param mountPath a path prefix such as {@code /fn} for path routing, or null to route by Host only
   */
  public Router(String domain, String mountPath) {
    String d = domain.toLowerCase(Locale.ROOT);
    if (d.startsWith(".") || d.endsWith(".") || d.isEmpty()) {
      throw new IllegalArgumentException("domain must look like func.local, was '" + domain + "'");
    }
    this.domainSuffix = "." + d;
    if (mountPath != null) {
      if (!mountPath.startsWith("/") || mountPath.endsWith("/") || mountPath.length() < 2) {
        throw new IllegalArgumentException("mount path must look like /fn, was '" + mountPath + "'");
      }
    }
    this.mountPrefix = mountPath == null ? null : mountPath + "/";
  }

  /**
   * The route of a request, or null when the request is not function traffic (it belongs to the
   * application, or to the admin API).
   *
   * @param host the Host header, may be null
   * @param path the request path within the application (no context path), undecoded
   * @param query the raw query string, or null
   * @throws FaasException NOT_FOUND for a host under the function domain that cannot name a function
   */
  public Route route(String host, String path, String query) {
    Route byHost = host == null ? null : routeByHost(host, path, query);
    if (byHost != null) {
      return byHost;
    }
    return mountPrefix == null ? null : routeByPath(path, query);
  }

  private Route routeByHost(String rawHost, String path, String query) {
    String host = stripPortAndDot(rawHost);
    if (host.length() <= domainSuffix.length() || !host.regionMatches(true,
        host.length() - domainSuffix.length(), domainSuffix, 0, domainSuffix.length())) {
      return null;
    }
    String prefix = host.substring(0, host.length() - domainSuffix.length());
    int dot = prefix.indexOf('.');
    String selector = dot < 0 ? null : prefix.substring(0, dot);
    String name = dot < 0 ? prefix : prefix.substring(dot + 1);
    if (!Validation.isLabel(name) || (selector != null && !Validation.isLabel(selector))) {
      throw FaasException.notFound("no function is served at host '" + abbreviate(rawHost)
          + "': use {name}" + domainSuffix + " or {version}.{name}" + domainSuffix);
    }
    return new Route(name, selector, pathAndQuery(path, query));
  }

  private Route routeByPath(String path, String query) {
    return path == null || !path.startsWith(mountPrefix) ? null : routeUnder(mountPrefix, path, query);
  }

  /**
   * The route of {@code path}, which starts with {@code prefix} (ending in '/'), in the form {@code
   * {prefix}{name}[@{version|alias}][/rest]}.
   *
   * @throws FaasException NOT_FOUND if the name or the selector is not a DNS label
   */
  public static Route routeUnder(String prefix, String path, String query) {
    String mountPrefix = prefix;
    int start = mountPrefix.length();
    int slash = path.indexOf('/', start);
    String segment = slash < 0 ? path.substring(start) : path.substring(start, slash);
    String rest = slash < 0 ? "/" : path.substring(slash);
    int at = segment.indexOf('@');
    String name = at < 0 ? segment : segment.substring(0, at);
    String selector = at < 0 ? null : segment.substring(at + 1);
    if (!Validation.isLabel(name) || (selector != null && !Validation.isLabel(selector))) {
      throw FaasException.notFound("no function is served at path '" + abbreviate(path) + "': use "
          + mountPrefix + "{name}/... or " + mountPrefix + "{name}@{version}/...");
    }
    return new Route(name, selector, pathAndQuery(rest, query));
  }

  private static String stripPortAndDot(String host) {
    int end = host.length();
    if (end > 0 && host.charAt(0) != '[') {
      int colon = host.lastIndexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    }
    if (end > 0 && host.charAt(end - 1) == '.') {
      end--;
    }
    return host.substring(0, end);
  }

  private static String pathAndQuery(String path, String query) {
    String p = path == null || path.isEmpty() ? "/" : path;
    return query == null || query.isEmpty() ? p : p + "?" + query;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
