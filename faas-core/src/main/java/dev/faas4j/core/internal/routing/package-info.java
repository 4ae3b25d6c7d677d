/**
 * The request path after the filter or handler: the {@link dev.faas4j.core.internal.routing.Router}
 * turns a Host or path into a {@link dev.faas4j.core.internal.routing.Route}, and
 * {@link dev.faas4j.core.internal.routing.FunctionTraffic} resolves it to a version (a weighted alias
 * through the {@link dev.faas4j.core.internal.routing.TrafficSplitter}), passes the concurrency
 * limits, and forwards it.
 *
 * <p>Uses control's {@code Registry} (read only) and {@code Lifecycle}, {@code internal.runtime}
 * for a ready instance, and {@code internal.proxy} to carry the exchange.
 */
package dev.faas4j.core.internal.routing;
