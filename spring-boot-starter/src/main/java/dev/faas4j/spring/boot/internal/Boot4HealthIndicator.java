package dev.faas4j.spring.boot.internal;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** {@link FaasHealth} as a Spring Boot 4 health indicator ({@code org.springframework.boot.health.contributor}). */
public final class Boot4HealthIndicator implements HealthIndicator {

  private final FaasHealth health;

  public Boot4HealthIndicator(FaasHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    FaasHealth.Report report = health.check();
    return (report.up() ? Health.up() : Health.down()).withDetails(report.details()).build();
  }
}
