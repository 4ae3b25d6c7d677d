/**
 * The client leg of function traffic: {@link dev.faas4j.core.internal.proxy.ReverseProxy} takes a
 * client's request from a server binding ({@code ClientExchange}: servlet or Jetty core), applies
 * the proxying rules (hop-by-hop headers, {@code X-Forwarded-*}, body limits) and streams the answer
 * back, or joins the two connections in a {@code Tunnel} when the function switches protocols (a
 * WebSocket, through {@code UpgradeForwarder}); it turns upstream failures into {@link dev.faas4j.api.FaasException}s with their statuses.
 *
 * <p>May use {@code internal.http} for the upstream leg, faas-api's endpoint and in-process
 * function types, and {@code Json}; it knows nothing of the registry, routing or instances.
 * Internal to faas-core: not part of the public API and may change without notice.
 */
package dev.faas4j.core.internal.proxy;
