/**
 * The reverse proxy that carries function traffic from the servlet container to a function's
 * {@link dev.faas4j.api.Endpoint}: streaming in both directions, hop-by-hop header handling,
 * {@code X-Forwarded-*}, timeouts and body limits.
 *
 * <p>Uses faas-api's endpoint and in-process function types and {@code Json} for its own error
 * answers; it knows nothing of the registry, routing or instances. Internal to faas-core: not part
 * of the public API and may change without notice.
 */
package dev.faas4j.core.internal.proxy;
