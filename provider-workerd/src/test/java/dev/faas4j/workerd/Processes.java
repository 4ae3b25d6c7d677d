package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Process helpers for tests. */
final class Processes {

  /** A variable the pom puts into the test JVM's environment, as an application's secret would be. */
  static final String TEST_SECRET = "FAAS4J_SECRET_KEY";

  /** What workerd's environment may hold: what the provider gives it, and what the shell sets (PWD, OLDPWD after cd). */
  static final Set<String> WORKERD_ENVIRONMENT = Set.of("PATH", "TZ", "PWD", "OLDPWD");

  private Processes() {}

  /** Whether {@code pid} is a running (not zombie) process, read from {@code /proc}. */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** Live workerd processes started (directly or not) by this JVM. */
  static List<ProcessHandle> workerdDescendants() {
    return ProcessHandle.current().descendants()
        .filter(p -> isRunning(p.pid()))
        .filter(p -> p.info().command().map(c -> c.endsWith("workerd")).orElse(false)
            || p.info().commandLine().map(c -> c.contains("workerd")).orElse(false))
        .collect(Collectors.toList());
  }

  /**
   * The variable names in {@code pid}'s environment, read from {@code /proc/<pid>/environ}, after
   * checking that the application's own secret (set for these tests in the pom) is not among them.
   */
  static Set<String> environmentNames(long pid) throws IOException {
    String secret = System.getenv(TEST_SECRET);
    assertThat(secret).as("%s in the test JVM's environment (the pom sets it)", TEST_SECRET).isNotBlank();
    String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
        StandardCharsets.UTF_8);
    assertThat(environ).as("the environment of process %d", pid).doesNotContain(secret);
    return Arrays.stream(environ.split("\0")).filter(entry -> !entry.isEmpty())
        .map(entry -> entry.substring(0, entry.indexOf('='))).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Polls {@code condition} until it holds or {@code deadline} passes; returns whether it held. */
  static boolean await(Duration deadline, BooleanSupplier condition) throws InterruptedException {
    Instant end = Instant.now().plus(deadline);
    while (Instant.now().isBefore(end)) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }
}
