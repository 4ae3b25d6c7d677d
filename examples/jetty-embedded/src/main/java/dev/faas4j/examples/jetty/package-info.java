/**
 * The smallest plain Jetty 12 application with faas4j: {@link dev.faas4j.core.FaasFilter} in front
 * of one ordinary servlet, and {@link dev.faas4j.core.FaasAdminServlet} at {@code /api/*}; see
 * {@link dev.faas4j.examples.jetty.JettyExample}.
 */
package dev.faas4j.examples.jetty;
