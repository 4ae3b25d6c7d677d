package dev.faas4j.examples.springboot;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application's own endpoint, an ordinary Spring MVC controller under {@code /api}. It is
 * reached by every request whose Host is not under the functions' domain: the starter's filter
 * passes those down the chain untouched, and its admin API lives under {@code /faas4j/api}, not
 * here. Thread-safe (stateless).
 */
@RestController
public class HelloController {

  /** The answer of {@code GET /api/hello}, written as JSON. */
  public record Greeting(String message, String from) {}

  /** {@code GET /api/hello?name=Ada} answers {@code {"message":"hello, Ada","from":"spring-boot"}}. */
  @GetMapping("/api/hello")
  public Greeting hello(@RequestParam(name = "name", defaultValue = "world") String name) {
    return new Greeting("hello, " + name, "spring-boot");
  }
}
