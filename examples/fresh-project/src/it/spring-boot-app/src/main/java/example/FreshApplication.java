package example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring Boot application with no faas4j code: the starter and one property do it all. */
@SpringBootApplication
public class FreshApplication {

  public static void main(String[] args) {
    SpringApplication.run(FreshApplication.class, args);
  }
}
