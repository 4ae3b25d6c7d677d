package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.core.FunctionInfo;
import dev.faas4j.core.VersionInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM deploying through faas-core on SQLite is killed with SIGKILL mid-way; a new one on the
 * same file finds exactly the acknowledged deploys (plus at most the one in flight), and serves
 * every one of them.
 */
class FaasDurabilityTest {

  @TempDir
  Path dir;

  @Test
  void everyAcknowledgedDeploySurvivesASigkillAndServes() throws Exception {
    Path file = dir.resolve("faas.db");
    Path stdout = dir.resolve("child.out");
    Path stderr = dir.resolve("child.err");
    int killAfter = 25;
    Process child = ChildJvm.start(FaasDurabilityChild.class, stdout, stderr, file.toString(), "100000");
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5); // against a hang, not a speed check
      while (ChildJvm.lastAcked(stdout) < killAfter) {
        if (!child.isAlive()) {
          fail("the child exited (" + child.exitValue() + ") before it was killed: " + Files.readString(stderr));
        }
        if (System.nanoTime() > deadline) {
          fail("the child acknowledged only " + ChildJvm.lastAcked(stdout) + " deploys in 5 minutes");
        }
        Thread.sleep(10);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    int acked = (int) ChildJvm.lastAcked(stdout);

    try (FaasOverHttp restarted = new FaasOverHttp(JdbcFunctionStore.sqlite(file))) {
      FunctionInfo hello = restarted.faas.describe("hello");
      int kept = hello.versions().size();
      assertThat(kept).as("versions after the kill; %d deploys were acknowledged", acked).isBetween(acked, acked + 1);
      assertThat(hello.latest()).as("latest is the last committed deploy").isEqualTo("v" + kept);
      for (int n = 1; n <= kept; n++) {
        VersionInfo version = hello.versions().get(n - 1);
        assertThat(version.version()).isEqualTo("v" + n);
        String alias = FaasDurabilityChild.alias(n);
        if (alias != null) {
          assertThat(hello.aliases()).containsEntry(alias, "v" + n);
        }
        assertThat(restarted.get("v" + n + ".hello.func.local").body()).isEqualTo("body of v" + n);
      }
      assertThat(restarted.get("hello.func.local").body()).isEqualTo("body of v" + kept);
    }
  }


}
