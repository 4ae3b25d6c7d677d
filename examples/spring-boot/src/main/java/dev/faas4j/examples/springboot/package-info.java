/**
 * A Spring Boot web application that carries its own functions-as-a-service platform: its own
 * controller ({@link dev.faas4j.examples.springboot.HelloController}) answers next to
 * {@link dev.faas4j.core.FaasFilter} (function traffic, by Host) and
 * {@link dev.faas4j.core.FaasAdminServlet} (the admin API under {@code /api/}), all wired in
 * {@link dev.faas4j.examples.springboot.FaasConfiguration}.
 */
package dev.faas4j.examples.springboot;
