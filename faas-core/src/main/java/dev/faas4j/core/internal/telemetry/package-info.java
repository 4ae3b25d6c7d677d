/**
 * Metrics: the {@link dev.faas4j.core.internal.telemetry.Metrics} interface the rest of faas-core
 * reports to, with a no-op implementation and one over Micrometer. Micrometer is an optional
 * dependency of faas-core and only this package names it; it is loaded only when the application
 * gives {@code FaasBuilder} a {@code MeterRegistry}.
 *
 * <p>Any package may use it; it uses nothing else of faas-core (only faas-api's value types).
 */
package dev.faas4j.core.internal.telemetry;
