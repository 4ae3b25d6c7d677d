package dev.faas4j.core.internal.control;

/**
 * What a deploy, a rollback or an alias change left serving, and where it is reached.
 *
 * @param alias the alias set with it, or {@code ""}
 */
public record Deployed(String name, String version, String alias, String subdomain, String accessUrl) {}
