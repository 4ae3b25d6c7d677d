/**
 * The upstream HTTP/1.1 client: pooled keep-alive connections with per-address budgets, selector
 * threads, calls that stream a request out and a response back, and a strict, bounded parser of the
 * response bytes, and {@code UpstreamUpgrade}: a request that switches protocols (WebSocket) on a
 * connection of its own. Failures are {@link dev.faas4j.core.internal.http.UpstreamException}s with a kind.
 *
 * <p>Knows nothing of functions: it uses the JDK and SLF4J only, no other faas4j package. Internal
 * to faas-core: not part of the public API and may change without notice.
 */
package dev.faas4j.core.internal.http;
