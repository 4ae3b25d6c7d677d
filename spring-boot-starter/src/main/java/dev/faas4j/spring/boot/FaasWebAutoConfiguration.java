package dev.faas4j.spring.boot;

import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.spring.boot.internal.OnAdminEnabled;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * Puts faas4j into a servlet web application: {@link FaasFilter} on {@code /*}, async-supported
 * and first in the chain ({@code faas4j.filter-order}), so function traffic is answered before the
 * application sees it and everything else passes through untouched; and, when asked for
 * ({@code faas4j.admin.token} or {@code faas4j.admin.enabled=true}), {@link FaasAdminServlet} under
 * {@code faas4j.admin.path} ({@code /faas4j/api} by default, which leaves {@code /api} to the
 * application).
 *
 * <p>Uses only {@code org.springframework.boot.web.servlet} registration beans, which Spring Boot 3.5
 * and 4.0 both have in the same package.
 */
@AutoConfiguration(after = FaasAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "jakarta.servlet.Filter")
@ConditionalOnBean(Faas.class)
public class FaasWebAutoConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(FaasWebAutoConfiguration.class);

  /** Function traffic: requests whose Host is under {@code faas4j.domain} or whose path is under the mount path. */
  @Bean
  @ConditionalOnMissingBean(name = "faasFilterRegistration")
  FilterRegistrationBean<FaasFilter> faasFilterRegistration(Faas faas, FaasProperties properties) {
    FilterRegistrationBean<FaasFilter> registration = new FilterRegistrationBean<>(new FaasFilter(faas));
    registration.setName("faasFilter");
    registration.addUrlPatterns("/*");
    registration.setDispatcherTypes(DispatcherType.REQUEST);
    registration.setOrder(properties.getFilterOrder());
    // Answers are then written without holding a container thread (see FaasFilter).
    registration.setAsyncSupported(true);
    return registration;
  }

  /** The admin API, when {@code faas4j.admin.token} is set or {@code faas4j.admin.enabled=true}. */
  @Configuration(proxyBeanMethods = false)
  @Conditional(OnAdminEnabled.class)
  static class Admin {

    /**
     * A bearer token from {@code faas4j.admin.token}; with none, the start fails unless
     * {@code faas4j.admin.allow-unauthenticated=true}, which is logged as a warning.
     */
    @Bean
    @ConditionalOnMissingBean
    AdminAuthenticator faasAdminAuthenticator(FaasProperties properties) {
      FaasProperties.Admin admin = properties.getAdmin();
      if (StringUtils.hasText(admin.getToken())) {
        return AdminAuthenticator.bearerToken(admin.getToken());
      }
      if (!admin.isAllowUnauthenticated()) {
        throw new IllegalStateException("faas4j.admin.enabled=true but the admin API has no credentials: set"
            + " faas4j.admin.token (clients send Authorization: Bearer <token>) or declare an AdminAuthenticator"
            + " bean. To serve it open to anyone who reaches this port, which lets them deploy code, set"
            + " faas4j.admin.allow-unauthenticated=true");
      }
      LOG.warn("faas4j admin API at {}/ has NO credentials (faas4j.admin.allow-unauthenticated=true): anyone who"
          + " reaches this port can deploy and run code", admin.getPath());
      return AdminAuthenticator.none();
    }

    /** {@link FaasAdminServlet} at {@code faas4j.admin.path + "/*"}. */
    @Bean
    @ConditionalOnMissingBean(name = "faasAdminRegistration")
    ServletRegistrationBean<FaasAdminServlet> faasAdminRegistration(Faas faas, AdminAuthenticator authenticator,
        FaasProperties properties) {
      String path = properties.getAdmin().getPath();
      if (path == null || !path.startsWith("/") || path.endsWith("/") || path.contains("*")) {
        throw new IllegalStateException("faas4j.admin.path must look like /faas4j/api (a leading /, no trailing /),"
            + " was '" + path + "'");
      }
      ServletRegistrationBean<FaasAdminServlet> registration =
          new ServletRegistrationBean<>(new FaasAdminServlet(faas, authenticator), path + "/*");
      registration.setName("faasAdmin");
      registration.setLoadOnStartup(1);
      return registration;
    }
  }
}
