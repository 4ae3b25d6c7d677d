/**
 * The admin HTTP API behind {@code FaasAdminServlet}: the route table, reading and validating JSON
 * request bodies, JSON answers, the one mapping of outcomes to HTTP statuses, and followed logs as
 * server-sent events ({@code LogStream}); and the web console: its static files, read from the class
 * path ({@code dev/faas4j/core/console/}) and served by {@code ConsoleFiles} with a strict
 * Content-Security-Policy, and the two routes it needs beyond the original API
 * ({@code ConsoleBodies}: a version's code, an invoke through {@code Faas.invoke}).
 *
 * <p>Uses {@code internal.control} for every change and query, {@code Json}, the proxy's
 * {@code ServletExchange} only to close a connection whose request body was left unread, and
 * {@code internal.telemetry}'s request counts (shown per version when metrics are on).
 */
package dev.faas4j.core.internal.admin;
