package dev.faas4j.examples.springboot;

import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.workerd.WorkerdProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Whether the real workerd binary is here, decided before any application starts. */
final class Workerd {

  private Workerd() {}

  /**
   * Returns if workerd is installed. Otherwise the test fails when {@code CI=true} (the build
   * installs it, so CI must have it) and is skipped with the reason when not.
   *
   * @param scratch an empty directory the check may use and leave behind
   */
  static void requireBinary(Path scratch) {
    try {
      WorkerdProvider.builder().dataDir(scratch).build().close();
    } catch (IllegalStateException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("workerd binary")) {
        throw e;
      }
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and " + e.getMessage());
      }
      Assumptions.abort("skipped, no workerd: " + e.getMessage());
    }
  }
}
