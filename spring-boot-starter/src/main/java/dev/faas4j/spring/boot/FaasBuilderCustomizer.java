package dev.faas4j.spring.boot;

import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasBuilder;

/**
 * Adjusts the {@link FaasBuilder} the starter builds its {@link Faas} bean with, for options
 * that have no {@code faas4j.*} property (a clock, connection limits, a node id, more providers):
 *
 * <pre>{@code
 * @Bean
 * FaasBuilderCustomizer moreConnections() {
 *   return builder -> builder.proxy(proxy -> proxy.maxConnections(4096));
 * }
 * }</pre>
 *
 * <p>Every customizer bean is applied, in {@link org.springframework.core.Ordered} order, after the
 * properties and before {@link FaasBuilder#build()}. A builder option may be set once, so a
 * customizer must not set one that a {@code faas4j.*} property already sets (the start fails,
 * naming the option).
 */
@FunctionalInterface
public interface FaasBuilderCustomizer {

  /** Changes {@code builder}; called once, on the thread that creates the {@link Faas} bean. */
  void customize(FaasBuilder builder);
}
