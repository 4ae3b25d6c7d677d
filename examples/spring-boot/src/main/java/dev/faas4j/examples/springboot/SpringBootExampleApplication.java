package dev.faas4j.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application: {@code java -jar faas4j-example-spring-boot-*.jar} (or {@code mvn spring-boot:run})
 * serves {@code GET /hello}, the admin API under {@code /api/} and functions at
 * {@code {version}.{name}.func.local} on port 8080. See {@link FaasProperties} for the settings.
 */
@SpringBootApplication
public class SpringBootExampleApplication {

  /** Starts the application; Spring Boot closes it (and every workerd process) on SIGTERM. */
  public static void main(String[] args) {
    SpringApplication.run(SpringBootExampleApplication.class, args);
  }
}
