package dev.faas4j.core.internal.routing;

/**
 * A request that addresses a function: which function, which version or alias (null for the
 * latest), and the path and query to send to it.
 *
 * @param name the function name as written in the request (any case)
 * @param selector a version or alias (any case), or null for the latest version
 * @param upstreamPathAndQuery the path (starting with '/') and query to forward
 */
public record Route(String name, String selector, String upstreamPathAndQuery) {}
