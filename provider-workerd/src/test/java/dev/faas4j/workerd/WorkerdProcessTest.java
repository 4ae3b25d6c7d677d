package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.workerd.internal.StartFailure;
import dev.faas4j.workerd.internal.WorkerdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@link WorkerdProcess} on its own: the pid file it writes as the process is spawned. */
class WorkerdProcessTest {

  @TempDir
  Path dir;

  private Path config() throws Exception {
    Files.writeString(dir.resolve("worker.js"), "addEventListener('fetch', e => e.respondWith(new Response('ok')));");
    return Files.writeString(dir.resolve("config.capnp"), "using Workerd = import \"/workerd/workerd.capnp\";\n"
        + "const config :Workerd.Config = (services = [(name = \"main\", worker = .w)],\n"
        + "  sockets = [(name = \"http\", address = \"127.0.0.1:0\", http = (), service = \"main\")]);\n"
        + "const w :Workerd.Worker = (serviceWorkerScript = embed \"worker.js\", compatibilityDate = \"2025-09-01\");\n");
  }

  private WorkerdProcess start(Path config, Path pidFile) throws Exception {
    return WorkerdProcess.start(TestWorkerd.binary(), config, false, pidFile, Duration.ofSeconds(10), "process-test",
        LoggerFactory.getLogger(WorkerdProcessTest.class), line -> { });
  }

  @Test
  void thePidFileHoldsThePidOfTheRunningWorkerd() throws Exception {
    Path pidFile = dir.resolve("workerd.pid");
    WorkerdProcess process = start(config(), pidFile);
    try {
      assertThat(Files.readString(pidFile).trim()).as("pid file").isEqualTo(Long.toString(process.pid()));
      assertThat(ProcessHandle.of(process.pid()).flatMap(p -> p.info().command()).orElse(""))
          .as("the recorded process is workerd itself, not a shell").endsWith("workerd");
    } finally {
      process.stop(Duration.ofSeconds(3));
    }
  }

  @Test
  void workerdGetsAFixedPathAndNoneOfTheApplicationsEnvironment() throws Exception {
    WorkerdProcess process = start(config(), dir.resolve("workerd.pid"));
    try {
      assertThat(Processes.environmentNames(process.pid())).as("workerd's environment")
          .isSubsetOf(Processes.WORKERD_ENVIRONMENT).contains("PATH").doesNotContain(Processes.TEST_SECRET);
    } finally {
      process.stop(Duration.ofSeconds(3));
    }
  }

  @Test
  void aPidFileThatCannotBeWrittenStopsTheStartBeforeWorkerdRuns() throws Exception {
    Path config = config();

    assertThatThrownBy(() -> start(config, dir.resolve("missing").resolve("workerd.pid")))
        .isInstanceOfSatisfying(StartFailure.class, e -> {
          assertThat(e.exitCode()).as("exit code of the shell that could not record the pid").isEqualTo(2);
          assertThat(e.getMessage()).as("message").contains("cannot create").contains("workerd.pid");
        });
    assertThat(Processes.workerdDescendants()).as("workerd processes after the refused start").isEmpty();
  }

  /**
   * A version whose process the watchdog killed must not be given its endpoint again before the
   * JVM reaps it: the next request starts a new process instead of meeting a dead port.
   */
  @Test
  void aKilledProcessIsNotAliveFromTheMomentItIsKilled() throws Exception {
    WorkerdProcess process = start(config(), dir.resolve("workerd.pid"));
    try {
      process.kill("a test");
      assertThat(process.isAlive()).as("alive right after kill()").isFalse();
      assertThat(process.killReason()).isEqualTo("a test");
    } finally {
      process.stop(Duration.ofSeconds(3));
    }
    assertThat(ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false)).as("reaped after stop").isFalse();
  }
}
