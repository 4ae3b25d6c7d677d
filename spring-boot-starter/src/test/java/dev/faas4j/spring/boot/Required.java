package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.workerd.WorkerdProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.springframework.util.FileSystemUtils;

/**
 * The real parts some tests need: the workerd binary and a PostgreSQL server. Without one, the
 * calling test fails under {@code CI=true} and is skipped, with the reason, otherwise.
 */
final class Required {

  private Required() {}

  /** Stops the calling test unless the workerd binary can be found. */
  static void workerd() throws Exception {
    Path scratch = Files.createTempDirectory("faas4j-workerd-check");
    try {
      WorkerdProvider.builder().dataDir(scratch).build().close();
    } catch (IllegalStateException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("workerd binary")) {
        throw e;
      }
      missing(e.getMessage());
    } finally {
      FileSystemUtils.deleteRecursively(scratch);
    }
  }

  /** The JDBC URL of the PostgreSQL server in {@code FAAS4J_TEST_PG_URL}; stops the test without one. */
  static String postgresUrl() {
    String url = System.getenv("FAAS4J_TEST_PG_URL");
    if (url == null || url.isBlank()) {
      missing("FAAS4J_TEST_PG_URL is not set: run `eval \"$(.ci/postgres.sh start)\"` first");
    }
    return url;
  }

  private static void missing(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true and " + why);
    }
    Assumptions.abort(why);
  }

  /** The major version of Spring Boot the tests run on, as the build says (3, or 4 in spring-boot-starter/boot4). */
  static String bootMajor() {
    return System.getProperty("faas4j.test.boot-major", "3");
  }

  /**
   * {@code spring.autoconfigure.exclude} for Boot's DataSource auto-configuration, whose class moved
   * in Boot 4: the tests have spring-boot-starter-jdbc for {@link DataSourceStoreTest}, and the other
   * applications have no database URL.
   */
  static String withoutDataSource() {
    return "--spring.autoconfigure.exclude=" + ("4".equals(bootMajor())
        ? "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
        : "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration");
  }
}
