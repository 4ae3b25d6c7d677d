/**
 * The smallest plain Jetty 12 application with faas4j: {@link dev.faas4j.core.FaasFilter} in front
 * of one ordinary servlet and {@link dev.faas4j.core.FaasAdminServlet} at {@code /faas4j/api/*}
 * ({@link dev.faas4j.examples.jetty.FaasSetup}), or the same with {@link dev.faas4j.core.FaasHandler}
 * on Jetty's core API ({@link dev.faas4j.examples.jetty.FaasHandlerSetup}); see
 * {@link dev.faas4j.examples.jetty.JettyExample}. The two setup classes are the README's quickstart
 * code, checked against it by the build.
 */
package dev.faas4j.examples.jetty;
