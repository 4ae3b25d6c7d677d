package dev.faas4j.core.internal.control;

import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.VersionStatus;
import java.util.List;

/**
 * One version of a function, with its pointers and its state in this JVM.
 *
 * @param latest whether the latest pointer is at it
 * @param aliases the aliases that point at it, sorted
 * @param status its lifecycle state here, with the provider's detail for a failure
 * @param activeRequests the requests this JVM is serving with it now
 * @param subdomain the host that serves it
 * @param accessUrl a URL for it
 */
public record VersionView(FunctionVersion version, boolean latest, List<String> aliases, VersionStatus status,
    int activeRequests, String subdomain, String accessUrl) {}
