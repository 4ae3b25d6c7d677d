package dev.faas4j.examples.springboot;

import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.core.testing.InMemoryStore;
import dev.faas4j.workerd.WorkerdProvider;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Wires faas4j into the application: one {@link Faas} (workerd for JavaScript, an in-memory store),
 * {@link FaasFilter} in front of everything, and {@link FaasAdminServlet} at {@code /api/*}.
 *
 * <p>The filter runs first ({@link Ordered#HIGHEST_PRECEDENCE}): a request for a function host is
 * answered by the function and never reaches Spring MVC or Spring's own filters (which could
 * otherwise read a form body before it is forwarded); every other request continues down the chain
 * unchanged. Spring closes the {@link Faas} bean when the application stops, which stops every
 * workerd process.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(FaasProperties.class)
public class FaasConfiguration {

  /**
   * The platform. Fails the application's start-up when the workerd binary is missing, with a
   * message that says how to install it.
   */
  @Bean(destroyMethod = "close")
  public Faas faas(FaasProperties properties, Environment environment) {
    WorkerdProvider workerd = WorkerdProvider.builder().dataDir(properties.dataDir().resolve("workerd")).build();
    try {
      return Faas.builder()
          .provider(workerd)
          .store(new InMemoryStore())
          .domain(properties.domain())
          .idleTimeout(properties.idleTimeout())
          .publicPort(publicPort(properties, environment))
          .build();
    } catch (RuntimeException e) {
      workerd.close();
      throw e;
    }
  }

  private static int publicPort(FaasProperties properties, Environment environment) {
    if (properties.publicPort() != null) {
      return properties.publicPort();
    }
    int serverPort = environment.getProperty("server.port", Integer.class, 8080);
    return serverPort > 0 ? serverPort : 80; // 80: access URLs carry no port
  }

  /** Function traffic: every request whose Host is under {@code faas4j.domain}. */
  @Bean
  public FilterRegistrationBean<FaasFilter> faasFilter(Faas faas) {
    FilterRegistrationBean<FaasFilter> registration = new FilterRegistrationBean<>(new FaasFilter(faas));
    registration.setName("faasFilter");
    registration.addUrlPatterns("/*");
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.setAsyncSupported(true); // the default, said out loud: answers are written without holding a thread
    return registration;
  }

  /** The admin API (deploy, rollback, list, stop, delete, aliases) under {@code /api/}. */
  @Bean
  public ServletRegistrationBean<FaasAdminServlet> faasAdminServlet(Faas faas, FaasProperties properties) {
    String token = properties.adminToken();
    AdminAuthenticator authenticator = token == null || token.isBlank()
        ? AdminAuthenticator.none() : AdminAuthenticator.bearerToken(token);
    ServletRegistrationBean<FaasAdminServlet> registration =
        new ServletRegistrationBean<>(new FaasAdminServlet(faas, authenticator), "/api/*");
    registration.setName("faasAdmin");
    registration.setLoadOnStartup(1);
    return registration;
  }
}
