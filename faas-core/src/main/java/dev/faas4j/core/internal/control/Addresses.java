package dev.faas4j.core.internal.control;

import java.net.URI;
import java.util.Locale;

/**
 * Where a version is reached from outside: its host under the function domain, a URL for that
 * host ({@code accessUrl}) and, when a mount path is set, a URL of the path form ({@code pathUrl}).
 *
 * <p>The scheme, port and (for the path form) host and context path of these URLs come from, in
 * order: a configured public base URL; a configured public port (scheme {@code http}); the request
 * that asked, through {@link #seenFrom}; else {@code http} on port 80. A port that is the
 * default of its scheme is left out. Immutable.
 */
public final class Addresses {

  private final String domain;
  private final String mountPath;
  private final String scheme;
  private final String host;
  private final int port;
  private final String basePath;
  /** Whether the base was configured, so that a request does not replace it. */
  private final boolean configured;

  private Addresses(String domain, String mountPath, String scheme, String host, int port, String basePath,
      boolean configured) {
    this.domain = domain;
    this.mountPath = mountPath;
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.basePath = basePath;
    this.configured = configured;
  }

  /**
   * @param domain the function domain, e.g. {@code func.local}
   * @param mountPath the path-routing prefix such as {@code /fn}, or null when routing is by Host only
   * @param publicBaseUrl where clients reach the application, e.g. {@code https://app.example.com:8443/ctx},
   *     or null
   * @param publicPort the port written into URLs when no base URL is given, or 0 when none is configured
   * @throws IllegalArgumentException if the base URL is not an absolute http(s) URL with a host
   */
  public static Addresses of(String domain, String mountPath, URI publicBaseUrl, int publicPort) {
    if (publicBaseUrl != null) {
      String scheme = publicBaseUrl.getScheme() == null ? "" : publicBaseUrl.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || publicBaseUrl.getHost() == null
          || publicBaseUrl.getRawQuery() != null || publicBaseUrl.getRawFragment() != null) {
        throw new IllegalArgumentException("publicBaseUrl must look like https://app.example.com[:port][/path],"
            + " was '" + publicBaseUrl + "'");
      }
      String path = publicBaseUrl.getRawPath() == null ? "" : publicBaseUrl.getRawPath();
      return new Addresses(domain, mountPath, scheme, publicBaseUrl.getHost(),
          publicBaseUrl.getPort() < 0 ? defaultPort(scheme) : publicBaseUrl.getPort(),
          path.endsWith("/") ? path.substring(0, path.length() - 1) : path, true);
    }
    if (publicPort > 0) {
      return new Addresses(domain, mountPath, "http", null, publicPort, "", true);
    }
    return new Addresses(domain, mountPath, "http", null, 80, "", false);
  }

  /**
   * These addresses as seen by a request that arrived at {@code scheme://host:port} with the given
   * context path: its scheme, host, port and context path fill what was not configured.
   */
  public Addresses seenFrom(String requestScheme, String requestHost, int requestPort, String contextPath) {
    String context = contextPath == null ? "" : contextPath;
    if (configured) {
      return host != null ? this : new Addresses(domain, mountPath, scheme, requestHost, port, context, true);
    }
    String s = requestScheme == null ? "http" : requestScheme.toLowerCase(Locale.ROOT);
    return new Addresses(domain, mountPath, s, requestHost, requestPort > 0 ? requestPort : defaultPort(s), context,
        true);
  }

  /** The function domain. */
  public String domain() {
    return domain;
  }

  /** The host that serves a version, e.g. {@code v1.hello.func.local}. */
  public String host(String name, String version) {
    return version + "." + name + "." + domain;
  }

  /** A URL for a host, e.g. {@code http://v1.hello.func.local:8081}. */
  public String url(String functionHost) {
    return scheme + "://" + functionHost + portSuffix();
  }

  /**
   * The path form of a version's URL, e.g. {@code http://localhost:8080/fn/hello@v1/}, or null
   * when no mount path is set or the application's own host is not known.
   */
  public String pathUrl(String name, String version) {
    if (mountPath == null || host == null) {
      return null;
    }
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return scheme + "://" + h + portSuffix() + basePath + mountPath + "/" + name + "@" + version + "/";
  }

  /** What a change left serving: {@code version} of {@code name}, with {@code alias} (null for none). */
  public Deployed deployed(String name, String version, String alias) {
    String functionHost = host(name, version);
    return new Deployed(name, version, alias == null ? "" : alias, functionHost, url(functionHost),
        pathUrl(name, version));
  }

  private String portSuffix() {
    return port == defaultPort(scheme) ? "" : ":" + port;
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }
}
