package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, validating, crashing, restarting and stopping real workerd processes. */
class WorkerdLifecycleTest {

  private static final Duration DEADLINE = Duration.ofSeconds(15);

  @TempDir
  Path dataDir;

  WorkerdProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private static FunctionSpec responding(String version, String body) {
    return FunctionSpec.builder("life").version(version)
        .code("addEventListener('fetch', e => e.respondWith(new Response(" + TestWorkerd.js(body) + ")));").build();
  }

  private String call(FunctionRef ref) throws Exception {
    return TestWorkerd.get(provider.endpoint(ref).orElseThrow(() -> new AssertionError("no endpoint for " + ref)), "/")
        .body();
  }

  private long pid(FunctionRef ref) {
    return provider.pid(ref).orElseThrow(() -> new AssertionError("no live process for " + ref));
  }

  private void killHard(long pid) throws InterruptedException {
    ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL, as kill -9
    assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid))).as("pid %d killed", pid).isTrue();
  }

  @Test
  void aSyntaxErrorAtDeployIsAnInvalidFunctionWithWorkerdsMessage() {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec broken = FunctionSpec.builder("life").version("v2")
        .code("addEventListener('fetch', e => { e.respondWith(new Response('x') ;").build();

    assertThatThrownBy(() -> provider.deploy(broken))
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.INVALID_FUNCTION);
          assertThat(e.getMessage()).as("message carries workerd's own error").contains("SyntaxError")
              .contains("exited with code 1");
        });
    assertThat(provider.status(broken.ref()).state()).as("state of the refused version")
        .isEqualTo(VersionStatus.State.STOPPED);
    assertThat(dataDir.resolve("life")).as("nothing left behind").doesNotExist();
  }

  @Test
  void aRefusedDeployLeavesTheRunningVersionServing() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec v1 = responding("v1", "still here");
    provider.deploy(v1);
    provider.scale(v1.ref(), 1);
    FunctionSpec broken = FunctionSpec.builder("life").version("v2").code("export default {{{").build();

    assertThatThrownBy(() -> provider.deploy(broken)).isInstanceOf(FaasException.class);

    assertThat(call(v1.ref())).as("v1 after v2 was refused").isEqualTo("still here");
    assertThat(dataDir.resolve("life").resolve("v2")).as("v2's directory removed").doesNotExist();
  }

  @Test
  void aKilledProcessLosesItsEndpointAndScaleRestartsIt() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = responding("v1", "phoenix");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    long first = pid(spec.ref());

    killHard(first);

    assertThat(Processes.await(DEADLINE, () -> provider.endpoint(spec.ref()).isEmpty()))
        .as("endpoint gone once the process died").isTrue();
    assertThat(provider.status(spec.ref()).detail()).as("status explains the crash").contains("exited unexpectedly");

    provider.scale(spec.ref(), 1);

    assertThat(pid(spec.ref())).as("a new process").isNotEqualTo(first);
    assertThat(call(spec.ref())).as("answer of the restarted process").isEqualTo("phoenix");
  }

  @Test
  void scalingToZeroTerminatesTheProcess() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = responding("v1", "x");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    long pid = pid(spec.ref());

    provider.scale(spec.ref(), 0);

    assertThat(Processes.isRunning(pid)).as("pid %d after scale to 0", pid).isFalse();
    assertThat(dataDir.resolve("life/v1/workerd.pid")).as("pid file after scale to 0").doesNotExist();
  }

  @Test
  void closeLeavesNoProcess() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec v1 = responding("v1", "x");
    FunctionSpec v2 = responding("v2", "y");
    provider.deploy(v1);
    provider.deploy(v2);
    long pid1 = pid(v1.ref());
    long pid2 = pid(v2.ref());

    provider.close();

    assertThat(Processes.isRunning(pid1)).as("pid %d after close", pid1).isFalse();
    assertThat(Processes.isRunning(pid2)).as("pid %d after close", pid2).isFalse();
  }

  @Test
  void closeIsIdempotentAndLaterCallsAreRefused() throws Exception {
    provider = TestWorkerd.builder(dataDir).build();
    FunctionSpec spec = responding("v1", "x");
    provider.close();
    provider.close();

    assertThatThrownBy(() -> provider.deploy(spec))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.UNAVAILABLE));
  }

  @Test
  void repeatedCrashesBackOffAndReportFailedUntilTheBackOffEnds() throws Exception {
    MutableClock clock = new MutableClock();
    provider = TestWorkerd.builder(dataDir).clock(clock)
        .restartBackoff(2, Duration.ofMinutes(1), Duration.ofSeconds(30)).build();
    FunctionSpec spec = responding("v1", "again");
    provider.deploy(spec);
    killHard(pid(spec.ref()));
    awaitCrashRecorded(spec.ref());
    provider.scale(spec.ref(), 1);
    killHard(pid(spec.ref()));
    assertThat(Processes.await(DEADLINE,
        () -> provider.status(spec.ref()).state() == VersionStatus.State.FAILED))
        .as("FAILED after 2 crashes: %s", provider.status(spec.ref())).isTrue();
    assertThat(provider.status(spec.ref()).detail()).as("detail").contains("exited unexpectedly");

    assertThatThrownBy(() -> provider.scale(spec.ref(), 1))
        .as("scale during back-off")
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.UNAVAILABLE);
          assertThat(e.getMessage()).contains("crashed 2 times");
        });

    clock.advance(Duration.ofSeconds(31));
    provider.scale(spec.ref(), 1);
    assertThat(call(spec.ref())).as("answer after the back-off").isEqualTo("again");
    assertThat(provider.status(spec.ref()).state()).as("state after the back-off")
        .isEqualTo(VersionStatus.State.RUNNING);
  }

  private void awaitCrashRecorded(FunctionRef ref) throws InterruptedException {
    assertThat(Processes.await(DEADLINE, () -> provider.status(ref).detail().contains("exited unexpectedly")))
        .as("crash recorded").isTrue();
  }

  @Test
  void aStartTimeoutIsUnavailableAndLeavesNothingRunning() throws Exception {
    // A script whose top level never returns: workerd never gets to listen.
    provider = TestWorkerd.builder(dataDir).startTimeout(Duration.ofSeconds(2)).build();
    FunctionSpec spec = FunctionSpec.builder("life").version("v1")
        .code("while (true) {}\naddEventListener('fetch', e => e.respondWith(new Response('x')));").build();

    assertThatThrownBy(() -> provider.deploy(spec))
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.UNAVAILABLE);
          assertThat(e.getMessage()).as("message").contains("within 2000 ms");
        });
    assertThat(Processes.workerdDescendants()).as("workerd processes after the timeout").isEmpty();
    assertThat(Files.exists(dataDir.resolve("life"))).as("version dir after the timeout").isFalse();
  }
}
