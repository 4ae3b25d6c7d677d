package dev.faas4j.core;

/**
 * The outcome of a deploy or a rollback: which version now serves, and where to reach it.
 *
 * @param name the function's name, in the spelling it was first deployed with
 * @param version the version that was deployed, or rolled back to
 * @param alias the alias that was set with it, or {@code ""}
 * @param subdomain the host that serves this version, e.g. {@code v1.hello.func.local}
 * @param accessUrl a URL for this version, e.g. {@code http://v1.hello.func.local:8081}
 */
public record Deployment(String name, String version, String alias, String subdomain, String accessUrl) {}
