package dev.faas4j.workerd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the spare workerd shells on this machine ({@code faas4j-spare} in their command
 * line) by their working directory, which is their provider's data dir: also those a killed JVM
 * left, which are no longer this JVM's descendants.
 */
final class SpareShells {

  private SpareShells() {}

  /** The pids of live spare shells waiting in {@code dataDir}. */
  static List<Long> in(Path dataDir) {
    Path wanted = dataDir.toAbsolutePath().normalize();
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
      for (Path process : processes) {
        try {
          String cmdline = Files.readString(process.resolve("cmdline"), StandardCharsets.UTF_8);
          if (cmdline.contains("faas4j-spare") && Files.readSymbolicLink(process.resolve("cwd")).equals(wanted)) {
            found.add(Long.parseLong(process.getFileName().toString()));
          }
        } catch (IOException | RuntimeException gone) {
          // exited while we looked, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot list /proc", e);
    }
    return found;
  }

  /** The directory of the memory cgroup {@code pid} is in (cgroup v1), or of its only cgroup (v2). */
  static Optional<Path> memoryGroup(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
        String[] parts = line.split(":", 3);
        if (parts[1].equals("memory")) {
          return Optional.of(Path.of("/sys/fs/cgroup/memory" + parts[2]));
        }
        if (parts[0].equals("0") && parts[1].isEmpty()) {
          return Optional.of(Path.of("/sys/fs/cgroup" + parts[2]));
        }
      }
    } catch (IOException gone) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
