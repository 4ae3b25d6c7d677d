/**
 * The faas4j engine: {@link dev.faas4j.core.Faas} (versions, aliases, rollback, routing, idle
 * suspension), {@link dev.faas4j.core.FaasFilter} for function traffic and
 * {@link dev.faas4j.core.FaasAdminServlet} for the admin API.
 *
 * <p>Everything in {@code dev.faas4j.core.internal} is implementation and may change without
 * notice. In-memory parts for tests are in {@link dev.faas4j.core.testing}.
 */
package dev.faas4j.core;
