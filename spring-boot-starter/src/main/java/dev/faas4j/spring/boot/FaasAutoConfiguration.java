package dev.faas4j.spring.boot;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasBuilder;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.spring.boot.internal.OnAdminEnabled;
import dev.faas4j.spring.boot.internal.OnProvider;
import dev.faas4j.spring.boot.internal.Stores;
import dev.faas4j.spring.boot.internal.TrafficSettings;
import dev.faas4j.workerd.WorkerdProvider;
import dev.faas4j.workerd.WorkerdProviderBuilder;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@link Faas} bean with its provider and store, from {@link FaasProperties}.
 *
 * <ul>
 *   <li>Provider: {@link WorkerdProvider} under {@code <data-dir>/workerd} ({@code faas4j.provider=workerd},
 *       the default), or {@link InMemoryProvider} ({@code faas4j.provider=in-memory}, for tests), unless
 *       the application declares a {@link FunctionProvider} of its own. Every {@code FunctionProvider}
 *       bean is given to the Faas.
 *   <li>Store: unless the application declares a {@link FunctionStore}, the one
 *       {@code faas4j.store.type} names; by default the application's {@link DataSource} when it has
 *       exactly one (or a primary one), else SQLite at {@code <data-dir>/faas.db}.
 *   <li>{@link Faas}: built from the properties, then every {@link FaasBuilderCustomizer}; closed when
 *       the application context closes, which stops every workerd process.
 * </ul>
 *
 * Ordered after both generations' DataSource auto-configuration (Boot 3's and Boot 4's class names).
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@ConditionalOnProperty(prefix = "faas4j", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(FaasProperties.class)
public class FaasAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(FaasAutoConfiguration.class);

  /** The default provider: workerd, when provider-workerd is on the classpath. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.faas4j.workerd.WorkerdProvider")
  @Conditional(OnProvider.Workerd.class)
  static class Workerd {

    /** One workerd process per running version, under {@code faas4j.workerd.data-dir}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(FunctionProvider.class)
    WorkerdProvider faasWorkerdProvider(FaasProperties properties) {
      FaasProperties.Workerd settings = properties.getWorkerd();
      WorkerdProviderBuilder builder = WorkerdProvider.builder()
          .dataDir(settings.getDataDir() != null ? settings.getDataDir() : properties.getDataDir().resolve("workerd"));
      if (settings.getBinary() != null) {
        builder.binary(settings.getBinary());
      }
      return builder.build();
    }
  }

  /**
   * Functions served in this JVM, for the application's tests: a version of function {@code f}
   * runs the {@link FunctionHandler} bean named {@code f} if there is one, else answers
   * {@code "<name> <version>"} (200, text). Serves runtimes {@code js} and {@code java}.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(FunctionProvider.class)
  @Conditional(OnProvider.InMemory.class)
  InMemoryProvider faasInMemoryProvider(ListableBeanFactory beans) {
    return new InMemoryProvider(spec -> {
      FunctionHandler bean = beans.getBeansOfType(FunctionHandler.class).get(spec.name());
      if (bean != null) {
        return bean;
      }
      String answer = spec.name() + " " + spec.version();
      return request -> FunctionResponse.ok(answer);
    }, "js", InMemoryProvider.RUNTIME);
  }

  /** The store {@code faas4j.store.type} names (see {@link FaasProperties.StoreType}). */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(FunctionStore.class)
  FunctionStore faasStore(FaasProperties properties, ObjectProvider<DataSource> dataSource) {
    return Stores.create(properties, dataSource.getIfUnique());
  }

  /** The platform; {@code close()} at shutdown stops every instance and closes providers and store. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Faas faas(FaasProperties properties, ObjectProvider<FunctionProvider> providers, FunctionStore store,
      ObjectProvider<FaasBuilderCustomizer> customizers, Environment environment) {
    List<FunctionProvider> all = providers.orderedStream().toList();
    if (all.isEmpty()) {
      throw new IllegalStateException("faas4j has no FunctionProvider: faas4j.provider=workerd needs"
          + " provider-workerd on the classpath; use faas4j.provider=in-memory for tests, declare a FunctionProvider"
          + " bean, or set faas4j.enabled=false");
    }
    FaasBuilder builder = Faas.builder();
    all.forEach(builder::provider);
    builder.store(store)
        .domain(properties.getDomain())
        .idleTimeout(properties.getIdleTimeout())
        .frozenTimeout(properties.getFrozenTimeout())
        .frozenMemoryBudget(properties.getFrozenMemoryBudget().toBytes())
        .startTimeout(properties.getStartTimeout())
        .keepLatestWarm(properties.isKeepLatestWarm())
        .eagerRestore(properties.isEagerRestore())
        .proxy(proxy -> proxy.requestTimeout(properties.getRequestTimeout())
            .maxRequestBodyBytes(properties.getMaxRequestBodySize().toBytes()));
    if (properties.getMountPath() != null) {
      builder.mountPath(properties.getMountPath());
    }
    if (properties.getPublicBaseUrl() != null) {
      builder.publicBaseUrl(properties.getPublicBaseUrl());
    }
    TrafficSettings.apply(properties, builder);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    Faas faas = builder.build();
    LOG.info("faas4j: functions at {version}.{name}.{}{}; providers {}; admin API {}", properties.getDomain(),
        properties.getMountPath() == null ? "" : " and under " + properties.getMountPath() + "/{name}[@{version}]/",
        all.stream().map(FunctionProvider::name).toList(),
        OnAdminEnabled.enabled(Binder.get(environment))
            ? "at " + properties.getAdmin().getPath() + "/"
            : "off (set faas4j.admin.token to serve it at " + properties.getAdmin().getPath() + "/)");
    return faas;
  }
}
