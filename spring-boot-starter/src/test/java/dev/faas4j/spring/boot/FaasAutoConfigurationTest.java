package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.core.Ordered;

/**
 * Which beans the auto-configuration creates from which properties, and that each one gives way to
 * the application's own. The in-memory provider keeps workerd out of these tests; the real one is
 * in {@link StarterApplicationTest}.
 */
class FaasAutoConfigurationTest {

  @TempDir
  Path dataDir;

  private WebApplicationContextRunner web() {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(FaasAutoConfiguration.class, FaasWebAutoConfiguration.class,
            FaasHealthAutoConfiguration.class, FaasMetricsAutoConfiguration.class))
        .withPropertyValues("faas4j.provider=in-memory", "faas4j.data-dir=" + dataDir);
  }

  @Test
  void theInMemoryProviderBringsAnInMemoryStoreAndAnAsyncFilterFirstInTheChain() {
    web().run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Faas.class);
      assertThat(context.getBean(FunctionProvider.class)).isInstanceOf(InMemoryProvider.class);
      assertThat(context.getBean(FunctionStore.class)).as("no files in tests").isInstanceOf(InMemoryStore.class);
      FilterRegistrationBean<?> filter = context.getBean("faasFilterRegistration", FilterRegistrationBean.class);
      assertThat(filter.getFilter()).isInstanceOf(FaasFilter.class);
      assertThat(filter.isAsyncSupported()).as("async: answers are written without holding a thread").isTrue();
      assertThat(filter.getUrlPatterns()).containsExactly("/*");
      assertThat(filter.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE);
      assertThat(Files.list(dataDir)).as("nothing written to the data dir").isEmpty();
    });
  }

  @Test
  void theAdminApiIsOffByDefault() {
    web().run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean("faasAdminRegistration")
          .doesNotHaveBean(AdminAuthenticator.class);
    });
  }

  @Test
  void aTokenTurnsTheAdminApiOnUnderItsOwnPrefix() {
    web().withPropertyValues("faas4j.admin.token=s3cret").run(context -> {
      ServletRegistrationBean<?> admin = context.getBean("faasAdminRegistration", ServletRegistrationBean.class);
      assertThat(admin.getServlet()).isInstanceOf(FaasAdminServlet.class);
      assertThat(admin.getUrlMappings()).as("not /api/*, which belongs to the application")
          .containsExactly("/faas4j/api/*");
    });
  }

  @Test
  void theAdminPathIsConfigurable() {
    web().withPropertyValues("faas4j.admin.token=s3cret", "faas4j.admin.path=/ops/functions").run(context ->
        assertThat(context.getBean("faasAdminRegistration", ServletRegistrationBean.class).getUrlMappings())
            .containsExactly("/ops/functions/*"));
  }

  @Test
  void enablingTheAdminApiWithoutCredentialsFailsTheStartSayingWhatToDo() {
    web().withPropertyValues("faas4j.admin.enabled=true").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause()
          .hasMessageContaining("faas4j.admin.token")
          .hasMessageContaining("faas4j.admin.allow-unauthenticated=true");
    });
  }

  @Test
  void anOpenAdminApiNeedsToBeAskedForExplicitly() {
    web().withPropertyValues("faas4j.admin.enabled=true", "faas4j.admin.allow-unauthenticated=true").run(context -> {
      assertThat(context).hasNotFailed().hasBean("faasAdminRegistration");
    });
  }

  @Test
  void adminEnabledFalseWinsOverAToken() {
    web().withPropertyValues("faas4j.admin.enabled=false", "faas4j.admin.token=s3cret").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean("faasAdminRegistration"));
  }

  @Test
  void aBadAdminPathFailsTheStart() {
    web().withPropertyValues("faas4j.admin.token=s3cret", "faas4j.admin.path=/ops/").run(context ->
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("faas4j.admin.path"));
  }

  @Test
  void theApplicationsOwnBeansReplaceEveryOneOfOurs() {
    InMemoryProvider provider = new InMemoryProvider();
    InMemoryStore store = new InMemoryStore();
    AdminAuthenticator authenticator = AdminAuthenticator.basic("ops", "pw");
    web().withPropertyValues("faas4j.admin.enabled=true")
        .withBean("myProvider", FunctionProvider.class, () -> provider)
        .withBean("myStore", FunctionStore.class, () -> store)
        .withBean(AdminAuthenticator.class, () -> authenticator)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(FunctionProvider.class)).isSameAs(provider);
          assertThat(context.getBean(FunctionStore.class)).isSameAs(store);
          assertThat(context.getBean(AdminAuthenticator.class)).isSameAs(authenticator);
          assertThat(context).doesNotHaveBean("faasInMemoryProvider").doesNotHaveBean("faasStore");
        });
  }

  @Test
  void anApplicationsOwnFaasReplacesOursAndIsStillServed() {
    web().withBean("myFaas", Faas.class, () -> Faas.builder().provider(new InMemoryProvider()).build())
        .run(context -> {
          assertThat(context).hasSingleBean(Faas.class).hasBean("myFaas").hasBean("faasFilterRegistration");
        });
  }

  @Test
  void customizersAdjustTheBuilder() {
    java.time.Instant fixed = java.time.Instant.parse("2030-01-02T03:04:05Z");
    web().withBean(FaasBuilderCustomizer.class,
            () -> builder -> builder.clock(java.time.Clock.fixed(fixed, java.time.ZoneOffset.UTC)))
        .run(context -> {
          Faas faas = context.getBean(Faas.class);
          faas.deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
          assertThat(faas.describe("hello").versions().get(0).createdAt()).as("the customizer's clock")
              .isEqualTo(fixed);
        });
  }

  @Test
  void propertiesReachTheFaas() {
    web().withPropertyValues("faas4j.domain=fn.example.com", "faas4j.mount-path=/fn",
            "faas4j.public-base-url=https://app.example.com")
        .run(context -> {
          Faas faas = context.getBean(Faas.class);
          var deployed = faas.deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
          assertThat(faas.domain()).isEqualTo("fn.example.com");
          assertThat(deployed.accessUrl()).isEqualTo("https://v1.hello.fn.example.com");
          assertThat(deployed.pathUrl()).isEqualTo("https://app.example.com/fn/hello@v1/");
        });
  }

  @Test
  void anSqliteStoreCanBeAskedForByType() {
    web().withPropertyValues("faas4j.store.type=sqlite").run(context -> {
      assertThat(context.getBean(FunctionStore.class)).isInstanceOf(JdbcFunctionStore.class);
      assertThat(dataDir.resolve("faas.db")).as("the SQLite file under faas4j.data-dir").exists();
    });
  }

  @Test
  void faasIsClosedWithTheContext() {
    Faas[] seen = new Faas[1];
    web().run(context -> seen[0] = context.getBean(Faas.class));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> seen[0].deploy(FunctionSpec.builder("late").version("v1").code("x").build(), null))
        .as("a closed Faas refuses work").isInstanceOf(RuntimeException.class);
  }

  @Test
  void nothingIsConfiguredWhenDisabled() {
    web().withPropertyValues("faas4j.enabled=false").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(Faas.class).doesNotHaveBean("faasFilterRegistration"));
  }

  @Test
  void outsideAWebApplicationThereIsAFaasButNoFilter() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(FaasAutoConfiguration.class, FaasWebAutoConfiguration.class))
        .withPropertyValues("faas4j.provider=in-memory", "faas4j.admin.token=x")
        .run(context -> assertThat(context).hasSingleBean(Faas.class).doesNotHaveBean("faasFilterRegistration")
            .doesNotHaveBean("faasAdminRegistration"));
  }

  @Test
  void theHealthIndicatorIsTheOneOfTheSpringBootItRunsOn() {
    web().run(context -> assertThat(context.getBean("faas4jHealthIndicator").getClass().getSimpleName())
        .as("Spring Boot " + Required.bootMajor())
        .isEqualTo("Boot" + Required.bootMajor() + "HealthIndicator"));
  }

  @Test
  void faas4jMetersGoToTheApplicationsMeterRegistry() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    web().withBean(MeterRegistry.class, () -> registry).run(context -> {
      context.getBean(Faas.class).deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
      assertThat(registry.find("faas4j.deploys").counters()).as("faas-core's deploy counter, in the app's registry")
          .isNotEmpty();
    });
  }

  @Test
  void metricsCanBeTurnedOff() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    web().withBean(MeterRegistry.class, () -> registry).withPropertyValues("faas4j.metrics.enabled=false")
        .run(context -> {
          context.getBean(Faas.class).deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
          assertThat(registry.find("faas4j.deploys").counters()).isEmpty();
        });
  }
}
