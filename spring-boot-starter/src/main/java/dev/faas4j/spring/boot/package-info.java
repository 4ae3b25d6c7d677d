/**
 * The Spring Boot starter of faas4j: auto-configuration that builds a {@link dev.faas4j.core.Faas}
 * from {@link dev.faas4j.spring.boot.FaasProperties} ({@code faas4j.*}), registers
 * {@link dev.faas4j.core.FaasFilter} for function traffic and, when asked for, the admin API, and a
 * health indicator when Actuator is present. Works on Spring Boot 3.5 and 4.0.
 *
 * <p>Every bean is created only when the application has none of its own
 * ({@code @ConditionalOnMissingBean}), so each can be replaced. The wiring decisions (which
 * provider, which store, whether the admin API is served) live in {@code internal}.
 */
package dev.faas4j.spring.boot;
