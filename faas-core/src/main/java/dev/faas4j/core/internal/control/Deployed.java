package dev.faas4j.core.internal.control;

/**
 * What a deploy, a rollback or an alias change left serving, and where it is reached.
 *
 * @param alias the alias set with it, or {@code ""}
 * @param pathUrl the path form of its URL, or null when there is none (see {@link Addresses#pathUrl})
 */
public record Deployed(String name, String version, String alias, String subdomain, String accessUrl,
    String pathUrl) {}
