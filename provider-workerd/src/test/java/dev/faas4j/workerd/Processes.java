package dev.faas4j.workerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Process helpers for tests. */
final class Processes {

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
