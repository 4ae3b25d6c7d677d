package dev.faas4j.spring.boot;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.Faas;
import dev.faas4j.spring.boot.internal.Boot3HealthIndicator;
import dev.faas4j.spring.boot.internal.Boot4HealthIndicator;
import dev.faas4j.spring.boot.internal.FaasHealth;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code faas4j} health indicator when Actuator is present (see {@code FaasHealth}: DOWN when the
 * store cannot be read or a provider cannot run functions). Spring Boot 3 and 4 keep the
 * {@code HealthIndicator} interface in different packages, so there is one nested configuration per
 * generation, each used only when its interface is on the classpath. Turned off with
 * {@code management.health.faas4j.enabled=false}.
 */
@AutoConfiguration(after = FaasAutoConfiguration.class)
@ConditionalOnBean(Faas.class)
@ConditionalOnProperty(name = "management.health.faas4j.enabled", matchIfMissing = true)
public class FaasHealthAutoConfiguration {

  static FaasHealth health(Faas faas, ObjectProvider<FunctionStore> store, ObjectProvider<FunctionProvider> providers) {
    return new FaasHealth(faas, store.getIfUnique(), providers.orderedStream().toList());
  }

  /** Spring Boot 3: {@code org.springframework.boot.actuate.health.HealthIndicator}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  static class Boot3 {

    @Bean
    @ConditionalOnMissingBean(name = "faas4jHealthIndicator")
    Boot3HealthIndicator faas4jHealthIndicator(Faas faas, ObjectProvider<FunctionStore> store,
        ObjectProvider<FunctionProvider> providers) {
      return new Boot3HealthIndicator(health(faas, store, providers));
    }
  }

  /** Spring Boot 4: {@code org.springframework.boot.health.contributor.HealthIndicator}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnMissingClass("org.springframework.boot.actuate.health.HealthIndicator")
  static class Boot4 {

    @Bean
    @ConditionalOnMissingBean(name = "faas4jHealthIndicator")
    Boot4HealthIndicator faas4jHealthIndicator(Faas faas, ObjectProvider<FunctionStore> store,
        ObjectProvider<FunctionProvider> providers) {
      return new Boot4HealthIndicator(health(faas, store, providers));
    }
  }
}
