package dev.faas4j.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Hands the application's {@link MeterRegistry} (Actuator's, when it has one) to the {@code Faas}
 * bean through {@code FaasBuilder.meterRegistry}, so faas4j's meters ({@code faas4j.deploys},
 * {@code faas4j.instance.starts}, ...) appear next to the application's own, on
 * {@code /actuator/metrics} and {@code /actuator/prometheus}. The meters themselves are faas-core's.
 * Turned off with {@code faas4j.metrics.enabled=false}.
 */
@AutoConfiguration(before = FaasAutoConfiguration.class)
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnProperty(prefix = "faas4j.metrics", name = "enabled", matchIfMissing = true)
public class FaasMetricsAutoConfiguration {

  /**
   * Gives the Faas the one {@link MeterRegistry} (or the primary one) when there is one, and
   * nothing otherwise. Looked up when the Faas bean is built, so the order of auto-configurations
   * does not matter.
   */
  @Bean
  @ConditionalOnMissingBean(name = "faasMeterRegistryCustomizer")
  FaasBuilderCustomizer faasMeterRegistryCustomizer(ObjectProvider<MeterRegistry> registry) {
    return builder -> {
      MeterRegistry found = registry.getIfUnique();
      if (found != null) {
        builder.meterRegistry(found);
      }
    };
  }
}
