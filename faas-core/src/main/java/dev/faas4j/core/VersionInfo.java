package dev.faas4j.core;

import dev.faas4j.api.VersionStatus;
import java.time.Instant;
import java.util.List;

/**
 * One version of a function as {@link Faas#describe(String)} reports it.
 *
 * @param version the version name
 * @param runtime its runtime
 * @param createdAt when it was deployed
 * @param latest whether it is the function's latest version
 * @param aliases the aliases that point at it
 * @param state its lifecycle state in this JVM
 * @param detail why it failed, if it did; otherwise {@code ""}
 * @param activeRequests requests this JVM is serving with it right now
 * @param subdomain the host that serves it
 * @param accessUrl a URL for it
 */
public record VersionInfo(
    String version,
    String runtime,
    Instant createdAt,
    boolean latest,
    List<String> aliases,
    VersionStatus.State state,
    String detail,
    int activeRequests,
    String subdomain,
    String accessUrl) {}
