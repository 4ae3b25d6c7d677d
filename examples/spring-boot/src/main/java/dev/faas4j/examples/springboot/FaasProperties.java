package dev.faas4j.examples.springboot;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code faas4j.*} settings of the application, bound by Spring Boot from
 * {@code application.properties}, environment variables ({@code FAAS4J_DATA_DIR}) or command-line
 * arguments ({@code --faas4j.domain=fn.example.com}). Immutable.
 *
 * @param dataDir where workerd keeps one directory per running version; default {@code faas-data}
 *     (under the working directory). Functions themselves live in memory and are gone after a restart.
 * @param domain the domain function hosts live under; default {@code func.local}
 * @param idleTimeout how long a version may go without requests before its workerd process is
 *     stopped (the latest version of each function is kept warm); default 60 s
 * @param publicPort the port written into access URLs; when unset, {@code server.port} (8080 when
 *     that is unset too; none when it is 0, a random port)
 * @param adminToken when set, the admin API requires {@code Authorization: Bearer <token>};
 *     function traffic never does
 */
@ConfigurationProperties("faas4j")
public record FaasProperties(
    @DefaultValue("faas-data") Path dataDir,
    @DefaultValue("func.local") String domain,
    @DefaultValue("60s") Duration idleTimeout,
    Integer publicPort,
    String adminToken) {

  /** Fails at start-up, with the property to fix, on a value that cannot work. */
  public FaasProperties {
    if (domain.isBlank()) {
      throw new IllegalArgumentException("faas4j.domain must not be blank; the default is func.local");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("faas4j.idle-timeout must be positive (e.g. 60s or 5m), was " + idleTimeout);
    }
    if (publicPort != null && (publicPort < 1 || publicPort > 65535)) {
      throw new IllegalArgumentException("faas4j.public-port must be 1-65535, was " + publicPort);
    }
  }
}
