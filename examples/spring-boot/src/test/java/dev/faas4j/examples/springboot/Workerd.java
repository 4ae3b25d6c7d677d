package dev.faas4j.examples.springboot;

import dev.faas4j.workerd.WorkerdProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class only where the real workerd binary is installed, decided before any
 * application starts. Without it the class fails when {@code CI=true} (the build installs the
 * binary, so CI must have it) and is skipped, with the reason, otherwise.
 */
final class Workerd implements ExecutionCondition {

  /** Why workerd cannot be used ("" if it can), looked up once per JVM. */
  private static volatile String missing;

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (missing == null) {
      String found = missingBinary();
      missing = found == null ? "" : found;
    }
    if (missing.isEmpty()) {
      return ConditionEvaluationResult.enabled("workerd is installed");
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + missing);
    }
    return ConditionEvaluationResult.disabled("skipped, no workerd: " + missing);
  }

  /** Why the binary cannot be used, or null if it can. */
  private static String missingBinary() {
    Path scratch;
    try {
      scratch = Files.createTempDirectory("faas4j-workerd-check");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      WorkerdProvider.builder().dataDir(scratch).build().close();
      return null;
    } catch (IllegalStateException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("workerd binary")) {
        throw e;
      }
      return e.getMessage();
    } finally {
      deleteTree(scratch);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
