package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.api.FunctionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM killed with SIGKILL while it saves revision after revision on an SQLite file loses
 * nothing it acknowledged and leaves no torn state.
 */
class DurabilityTest {

  @TempDir
  Path dir;

  @ParameterizedTest(name = "killed after {0} acknowledged saves")
  @ValueSource(ints = {7, 40, 120})
  void aKilledWriterLeavesTheLastAcknowledgedRevisionOrTheOneInFlight(int killAfter) throws Exception {
    Path file = dir.resolve("faas4j.db");
    Path stdout = dir.resolve("child.out");
    Path stderr = dir.resolve("child.err");
    Process child = ChildJvm.start(DurabilityChild.class, stdout, stderr, file.toString(), "1000000");
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5); // against a hang, not a speed check
      while (ChildJvm.lastAcked(stdout) < killAfter) {
        if (!child.isAlive()) {
          fail("the child JVM exited (" + child.exitValue() + ") after " + ChildJvm.lastAcked(stdout)
              + " saves, before it was killed: " + Files.readString(stderr));
        }
        if (System.nanoTime() > deadline) {
          fail("the child JVM acknowledged only " + ChildJvm.lastAcked(stdout) + " saves in 5 minutes");
        }
        Thread.sleep(10); // polling interval only; nothing is asserted about time
      }
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
      assertThat(child.waitFor(1, TimeUnit.MINUTES)).as("child JVM gone after SIGKILL").isTrue();
    } finally {
      child.destroyForcibly();
      child.waitFor(1, TimeUnit.MINUTES);
    }
    long lastAcked = ChildJvm.lastAcked(stdout);

    try (JdbcFunctionStore reopened = JdbcFunctionStore.sqlite(file)) {
      Optional<FunctionState> found = reopened.load("hello");
      assertThat(found).as("function after the kill").isPresent();
      long revision = found.get().revision();
      assertThat(revision).as("revision after the kill; last acknowledged was %d", lastAcked)
          .isBetween(lastAcked, lastAcked + 1);
      assertThat(found.get()).as("state at revision %d is whole, not torn", revision)
          .isEqualTo(DurabilityChild.expected(revision));
      assertThat(reopened.loadAll()).as("loadAll sees the same").containsExactly(found.get());
    }
  }


}
