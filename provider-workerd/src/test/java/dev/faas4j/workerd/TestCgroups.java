package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.api.Limits;
import dev.faas4j.workerd.internal.Cgroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assumptions;

/** Whether this machine lets tests enforce limits with cgroups, and small readers of cgroup files. */
final class TestCgroups {

  private TestCgroups() {}

  /**
   * Aborts the test (skipped, with the reason) unless memory, cpu and pids controllers are writable
   * here; with {@code CI=true} it fails instead: CI runs as root on a machine that has them.
   */
  static void require(Path probeDir) {
    Cgroups probe = Cgroups.detect(probeDir.resolve("cgroup-probe"), null);
    try {
      Optional<String> refusal = probe.refusal(new Limits(64L << 20, 0.5, 32, null));
      if (refusal.isPresent()) {
        String why = "no writable cgroups (" + probe.describe() + "): " + refusal.get();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
          fail("CI=true and " + why);
        }
        Assumptions.abort("skipped, " + why);
      }
    } finally {
      probe.close();
    }
  }

  /** The first line of a cgroup file, trimmed. */
  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  /** {@code dir/v1}, or {@code dir/v2} when the v1 file is not there (a cgroup v2 group). */
  static Path either(Path dir, String v1, String v2) {
    return Files.exists(dir.resolve(v1)) ? dir.resolve(v1) : dir.resolve(v2);
  }

  /** Resident memory of {@code pid} in bytes ({@code VmRSS}), or empty once it is gone. */
  static OptionalLong rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
      return OptionalLong.empty();
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** CPU time of {@code pid} so far (utime + stime), assuming 100 clock ticks a second as Linux does. */
  static Duration cpuTime(long pid) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Duration.ofMillis((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10);
  }
}
