/**
 * The admin HTTP API behind {@code FaasAdminServlet}: the route table, reading and validating JSON
 * request bodies, JSON answers, the one mapping of outcomes to HTTP statuses, and followed logs as
 * server-sent events ({@code LogStream}).
 *
 * <p>Uses {@code internal.control} for every change and query, {@code Json}, and the proxy's
 * {@code ServletExchange} only to close a connection whose request body was left unread.
 */
package dev.faas4j.core.internal.admin;
