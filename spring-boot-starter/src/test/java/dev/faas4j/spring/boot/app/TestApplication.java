package dev.faas4j.spring.boot.app;

import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application with the starter and no faas4j code: one controller of its own under
 * {@code /api}, where an application's API usually is.
 */
@SpringBootApplication
public class TestApplication {

  /** The application's own endpoint. */
  @RestController
  public static class HelloController {

    /** {@code GET /api/hello}. */
    @GetMapping("/api/hello")
    public Map<String, String> hello() {
      return Map.of("message", "hello from the application");
    }
  }
}
