package dev.faas4j.examples.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and stops workerd processes that a killed gateway left running under its data directory.
 *
 * <p>The workerd provider cleans up the processes it recorded, but a gateway killed while a
 * process was still starting (before it was recorded) leaves that process orphaned. This looks at
 * every process's command line instead (Linux {@code /proc}); call it only while holding the data
 * directory (after the provider was built, which locks it, and before it starts anything), so that
 * every match is a leftover. Not thread-safe; called once at start.
 */
final class OrphanedWorkerd {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanedWorkerd.class);

  private OrphanedWorkerd() {}

  /** Stops (SIGTERM, then SIGKILL after 5 s) workerd processes whose config lies under {@code root}. */
  static List<Long> stopUnder(Path root) {
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return List.of();
    }
    String prefix = root.toAbsolutePath().normalize() + "/";
    Set<Long> ours = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    List<Long> stopped = new ArrayList<>();
    try (Stream<Path> entries = Files.list(proc)) {
      for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        long pid = Long.parseLong(entry.getFileName().toString());
        if (ours.contains(pid) || !isWorkerdUnder(entry, prefix)) {
          continue;
        }
        ProcessHandle.of(pid).ifPresent(handle -> {
          LOG.warn("stopping workerd pid {} left running under {} by a previous gateway", pid, root);
          handle.destroy();
          try {
            handle.onExit().get(5, TimeUnit.SECONDS);
          } catch (Exception e) {
            handle.destroyForcibly();
          }
          stopped.add(pid);
        });
      }
    } catch (IOException e) {
      LOG.warn("could not look for leftover workerd processes: {}", e.toString());
    }
    return stopped;
  }

  private static boolean isWorkerdUnder(Path procEntry, String prefix) {
    try {
      String[] args = new String(Files.readAllBytes(procEntry.resolve("cmdline")), StandardCharsets.UTF_8).split("\u0000");
      if (args.length < 2 || !args[0].endsWith("workerd")) {
        return false;
      }
      for (String arg : args) {
        if (arg.startsWith(prefix) && arg.endsWith(".capnp")) {
          return true;
        }
      }
      return false;
    } catch (IOException gone) {
      return false;
    }
  }
}
