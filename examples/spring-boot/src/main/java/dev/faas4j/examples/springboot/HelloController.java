package dev.faas4j.examples.springboot;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's own endpoint, an ordinary Spring MVC controller. It is reached by every
 * request whose Host is not under the functions' domain: {@link dev.faas4j.core.FaasFilter} passes
 * those down the chain untouched. Thread-safe (stateless).
 */
@RestController
public class HelloController {

  /** The answer of {@code GET /hello}, written as JSON. */
  public record Greeting(String message, String from) {}

  /** {@code GET /hello?name=Ada} answers {@code {"message":"hello, Ada","from":"spring-boot"}}. */
  @GetMapping("/hello")
  public Greeting hello(@RequestParam(defaultValue = "world") String name) {
    return new Greeting("hello, " + name, "spring-boot");
  }
}
