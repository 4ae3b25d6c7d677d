package dev.faas4j.spring.boot.internal;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** {@link FaasHealth} as a Spring Boot 3 health indicator ({@code org.springframework.boot.actuate.health}). */
public final class Boot3HealthIndicator implements HealthIndicator {

  private final FaasHealth health;

  public Boot3HealthIndicator(FaasHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    FaasHealth.Report report = health.check();
    return (report.up() ? Health.up() : Health.down()).withDetails(report.details()).build();
  }
}
