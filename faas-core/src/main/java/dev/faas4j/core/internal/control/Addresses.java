package dev.faas4j.core.internal.control;

/**
 * Where a version is reached from outside: its host under the function domain and a URL for it.
 * Immutable.
 */
public final class Addresses {

  private final String domain;
  private final int publicPort;

  /**
   * @param domain the function domain, e.g. {@code func.local}
   * @param publicPort the port written into URLs (left out when it is 80)
   */
  public Addresses(String domain, int publicPort) {
    this.domain = domain;
    this.publicPort = publicPort;
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
  public String url(String host) {
    return "http://" + host + (publicPort == 80 ? "" : ":" + publicPort);
  }

  /** What a change left serving: {@code version} of {@code name}, with {@code alias} (null for none). */
  public Deployed deployed(String name, String version, String alias) {
    String host = host(name, version);
    return new Deployed(name, version, alias == null ? "" : alias, host, url(host));
  }
}
