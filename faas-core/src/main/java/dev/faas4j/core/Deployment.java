package dev.faas4j.core;

/**
 * The outcome of a deploy or a rollback: which version now serves, and where to reach it.
 *
 * @param name the function's name, in the spelling it was first deployed with
 * @param version the version that was deployed, or rolled back to
 * @param alias the alias that was set with it, or {@code ""}
 * @param subdomain the host that serves this version, e.g. {@code v1.hello.func.local}
 * @param accessUrl a URL for this version's host, e.g. {@code http://v1.hello.func.local:8081}
 * @param pathUrl the path form of its URL, e.g. {@code https://app.example.com/fn/hello@v1/}, or
 *     null when no mount path is set or the application's address is not known (set
 *     {@link FaasBuilder#publicBaseUrl})
 */
public record Deployment(String name, String version, String alias, String subdomain, String accessUrl,
    String pathUrl) {

  /** A deployment with no path form, as before {@code pathUrl} existed. */
  public Deployment(String name, String version, String alias, String subdomain, String accessUrl) {
    this(name, version, alias, subdomain, accessUrl, null);
  }
}
