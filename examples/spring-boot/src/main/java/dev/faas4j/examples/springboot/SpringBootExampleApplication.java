package dev.faas4j.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application: {@code java -jar faas4j-example-spring-boot-*.jar} (or {@code mvn spring-boot:run})
 * serves {@code GET /api/hello}, the faas4j admin API under {@code /faas4j/api/} and functions at
 * {@code {version}.{name}.func.local} on port 8080. It has no faas4j code: the starter and the one
 * property in {@code application.properties} do it all.
 */
@SpringBootApplication
public class SpringBootExampleApplication {

  /** Starts the application; Spring Boot closes it (and every workerd process) on SIGTERM. */
  public static void main(String[] args) {
    SpringApplication.run(SpringBootExampleApplication.class, args);
  }
}
