package dev.faas4j.test;

import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasBuilder;
import dev.faas4j.workerd.WorkerdProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The workerd backend of {@link FaasExtension}: a {@link WorkerdProvider} in a temporary data
 * directory. The only class of the kit that names provider-workerd, so that the in-memory backend
 * works without it on the classpath.
 */
final class WorkerdBackend {

  /** How long a stopping workerd gets before it is killed; short, tests need no graceful drain. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);

  private WorkerdBackend() {}

  static TestFaas start(List<Consumer<FaasBuilder>> settings) throws IOException {
    Path dataDir = Files.createTempDirectory("faas4j-test-");
    try {
      WorkerdProvider provider = WorkerdProvider.builder().dataDir(dataDir).stopGracePeriod(STOP_GRACE).build();
      Faas faas = TestFaas.build(provider, settings);
      return new TestFaas(faas, null, () -> afterClose(dataDir));
    } catch (RuntimeException | Error e) {
      deleteTree(dataDir);
      throw e;
    }
  }

  /** Kills and reports a workerd of {@code dataDir} that outlived its {@code Faas}, then deletes the directory. */
  private static void afterClose(Path dataDir) throws Exception {
    List<ProcessHandle> leaked = processesUnder(dataDir);
    for (ProcessHandle process : leaked) {
      process.destroyForcibly();
      process.onExit().get(10, TimeUnit.SECONDS);
    }
    deleteTree(dataDir);
    if (!leaked.isEmpty()) {
      throw new AssertionError(leaked.size() + " workerd process(es) of " + dataDir + " were still running after the"
          + " Faas was closed (now killed): pids " + leaked.stream().map(ProcessHandle::pid).toList());
    }
  }

  /**
   * Live processes whose command line names {@code dataDir}: read from {@code /proc} where there is
   * one (it sees every process, whoever its parent is now), else from this JVM's descendants.
   */
  static List<ProcessHandle> processesUnder(Path dataDir) throws IOException {
    String dir = dataDir.toString();
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return ProcessHandle.current().descendants()
          .filter(p -> p.info().commandLine().map(line -> line.contains(dir)).orElse(false))
          .toList();
    }
    List<ProcessHandle> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(proc)) {
      for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String commandLine;
        try {
          commandLine = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
          continue; // it exited while we looked
        }
        if (commandLine.contains(dir)) {
          ProcessHandle.of(Long.parseLong(entry.getFileName().toString())).ifPresent(found::add);
        }
      }
    }
    return found;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
