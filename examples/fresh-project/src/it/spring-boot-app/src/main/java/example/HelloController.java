package example;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The application's own endpoint, under /api like many applications have. */
@RestController
public class HelloController {

  @GetMapping("/api/hello")
  public String hello() {
    return "hello from the application's own controller";
  }
}
