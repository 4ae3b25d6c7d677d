package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FilesOnDisk;
import dev.faas4j.api.FunctionSpec;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New env values (rotated secrets) for a running version on the real workerd: no request fails
 * while they are applied, requests sent after {@code updateEnv} returned see them, and values are
 * on disk only while a process that needs them runs.
 */
class WorkerdEnvUpdateTest {

  private static final String CODE = "addEventListener('fetch', e => e.respondWith(new Response(TOKEN)));";

  @TempDir
  Path dataDir;

  WorkerdProvider provider;

  @BeforeEach
  void open() {
    provider = TestWorkerd.builder(dataDir).drainPeriod(Duration.ofSeconds(1)).build();
  }

  @AfterEach
  void close() {
    provider.close();
  }

  private static FunctionSpec spec(String token) {
    return FunctionSpec.builder("rotating").version("v1").code(CODE).env("TOKEN", token).build();
  }

  private String call() throws Exception {
    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(spec("x").ref()).orElseThrow(), "/");
    assertThat(response.statusCode()).as("status: " + response.body()).isEqualTo(200);
    return response.body();
  }

  /** Every file under the data dir whose content contains {@code text}. */
  private List<Path> filesContaining(String text) throws Exception {
    return FilesOnDisk.containing(dataDir, text);
  }

  @Test
  void requestsInALoopSeeNoFailureWhileTheValueRotates() throws Exception {
    provider.deploy(spec("value-0"));
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger calls = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Thread client = new Thread(() -> {
        while (running.get()) {
          try {
            String body = call();
            if (!body.startsWith("value-")) {
              failures.add("unexpected body " + body);
            }
            calls.incrementAndGet();
          } catch (Exception | AssertionError e) {
            failures.add(e.toString());
          }
        }
      });
      client.start();
      clients.add(client);
    }
    try {
      for (int round = 1; round <= 5; round++) {
        provider.updateEnv(spec("value-" + round));
        assertThat(call()).as("a request sent after updateEnv returned").isEqualTo("value-" + round);
        Thread.sleep(300);
      }
    } finally {
      running.set(false);
      for (Thread client : clients) {
        client.join(30_000);
      }
    }
    assertThat(failures).as("failed requests out of %d", calls.get()).isEmpty();
    assertThat(calls.get()).as("requests made during the rotations").isGreaterThan(20);
  }

  @Test
  void theReplacedProcessIsStoppedAfterTheDrainAndItsValuesAreDeleted() throws Exception {
    provider.deploy(spec("old-Value-1234"));
    long oldPid = provider.pid(spec("x").ref()).orElseThrow();

    provider.updateEnv(spec("new-Value-5678"));

    assertThat(provider.pid(spec("x").ref())).as("a new process serves").isPresent().get().isNotEqualTo(oldPid);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while ((ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)
        || !filesContaining("old-Value-1234").isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive).orElse(false)).as("old process after the drain")
        .isFalse();
    assertThat(filesContaining("old-Value-1234")).as("files with the old value").isEmpty();
    assertThat(filesContaining("new-Value-5678")).as("files with the new value, while it runs").isNotEmpty();
  }

  @Test
  void valuesAreOnDiskOnlyWhileAProcessRuns() throws Exception {
    provider.deploy(spec("Disk-Value-4242"));
    assertThat(filesContaining("Disk-Value-4242")).as("while running").isNotEmpty();

    provider.scale(spec("x").ref(), 0);
    assertThat(filesContaining("Disk-Value-4242")).as("once stopped").isEmpty();

    provider.updateEnv(spec("Disk-Value-9999"));
    assertThat(filesContaining("Disk-Value-9999")).as("a stopped version only remembers the new value").isEmpty();
    provider.scale(spec("x").ref(), 1);
    assertThat(call()).as("the next start has it").isEqualTo("Disk-Value-9999");
  }

  @Test
  void anUpdateThatChangesMoreThanTheEnvIsRefused() throws Exception {
    provider.deploy(spec("a"));
    FunctionSpec otherCode = FunctionSpec.builder("rotating").version("v1").code(CODE + "\n").env("TOKEN", "b").build();

    assertThatThrownBy(() -> provider.updateEnv(otherCode)).isInstanceOfSatisfying(FaasException.class,
        e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
    assertThat(call()).isEqualTo("a");
  }
}
