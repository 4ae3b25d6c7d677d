/**
 * Metrics and request ids (to come). Any package may use it; it uses nothing else of faas-core.
 */
package dev.faas4j.core.internal.telemetry;
