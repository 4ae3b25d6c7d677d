/**
 * faas-core's implementation, one package per concern (admin, control, routing, runtime, proxy,
 * telemetry); this package itself holds only {@link dev.faas4j.core.internal.Json}, the JSON
 * shared by the admin API and the proxy's own answers, and uses nothing else of faas-core.
 * Not an API: everything under {@code internal} may change in any release.
 */
package dev.faas4j.core.internal;
