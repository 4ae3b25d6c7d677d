package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog on real workerd processes: after a request timed out, a process that spins is killed
 * and replaced, one that waits is left alone. faas-core calls {@code requestTimedOut} after a 504;
 * here the test calls it after its own client gave up. The watchdog's second sample runs when the
 * test says so, once a measuring window of wall time has passed.
 */
class WorkerdWatchdogTest {

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final Duration WINDOW = Duration.ofMillis(500);
  private static final String CODE = """
      addEventListener('fetch', e => {
        const path = new URL(e.request.url).pathname;
        if (path === '/spin') {
          console.log('request /spin');
          for (;;) {}
        } else if (path === '/wait') {
          console.log('request /wait');
          e.respondWith(new Promise(r => setTimeout(() => r(new Response('late')), 60000)));
        } else {
          e.respondWith(new Response('ok'));
        }
      });
      """;

  @TempDir
  Path dataDir;

  WorkerdProvider provider;
  final LinkedBlockingQueue<Runnable> checks = new LinkedBlockingQueue<>();
  final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private FunctionRef deploy(Limits limits) throws Exception {
    provider = TestWorkerd.builder(dataDir).enforceLimits(limits.cpus() > 0).watchdogWindow(WINDOW)
        .watchdogScheduler((task, delay) -> checks.add(task)).build();
    FunctionSpec spec = FunctionSpec.builder("watched").version("v1").code(CODE).limits(limits).build();
    provider.deploy(spec);
    return spec.ref();
  }

  /** Sends a request the test's client gives up on, as the proxy's timeout would, then reports the timeout. */
  private CompletableFuture<HttpResponse<String>> timeOut(FunctionRef ref, String path) throws Exception {
    Endpoint.Http http = (Endpoint.Http) provider.endpoint(ref).orElseThrow();
    CompletableFuture<HttpResponse<String>> request = client.sendAsync(
        HttpRequest.newBuilder(http.baseUri().resolve(path)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    // As behind the proxy, the timeout comes once the function runs the request.
    assertThat(Processes.await(DEADLINE, () -> provider.logs(ref, 50).stream().anyMatch(line -> line.contains("request " + path))))
        .as("the function logged that it runs %s: %s", path, provider.logs(ref, 50)).isTrue();
    provider.requestTimedOut(ref);
    return request;
  }

  /**
   * Runs the watchdog's pending sample once its window of wall time has passed, and the next ones
   * it schedules when a window is inconclusive (a loaded machine), until it decides.
   */
  private void runCheck() throws InterruptedException {
    Runnable check = checks.poll(10, TimeUnit.SECONDS);
    assertThat(check).as("the watchdog scheduled its second sample").isNotNull();
    while (check != null) {
      long start = System.nanoTime();
      Processes.await(WINDOW, () -> false); // let the window pass: the check divides CPU time by wall time
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(WINDOW.toNanos() / 2);
      check.run();
      check = checks.poll(); // scheduled by the run itself, if at all
    }
  }

  @Test
  void aProcessSpinningAfterATimeoutIsKilledAndReplaced() throws Exception {
    FunctionRef ref = deploy(Limits.NONE);
    long pid = provider.pid(ref).orElseThrow();
    CompletableFuture<HttpResponse<String>> request = timeOut(ref, "/spin");

    runCheck();

    assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid))).as("spinning workerd %d", pid).isTrue();
    assertThat(Processes.await(DEADLINE, () -> provider.status(ref).detail().contains("was killed")))
        .as("status after the watchdog: %s", provider.status(ref)).isTrue();
    assertThat(provider.status(ref).detail()).contains("kept computing");
    request.cancel(true);

    provider.scale(ref, 1);
    assertThat(TestWorkerd.get(provider.endpoint(ref).orElseThrow(), "/").body()).as("after the restart").isEqualTo("ok");
    assertThat(provider.pid(ref).orElseThrow()).as("the replacement").isNotEqualTo(pid);
  }

  @Test
  void aProcessWaitingOnATimerAfterATimeoutIsLeftAlone() throws Exception {
    FunctionRef ref = deploy(Limits.NONE);
    long pid = provider.pid(ref).orElseThrow();
    CompletableFuture<HttpResponse<String>> request = timeOut(ref, "/wait");

    runCheck();

    assertThat(provider.pid(ref)).as("the waiting process after the watchdog's check").contains(pid);
    assertThat(Processes.isRunning(pid)).as("workerd %d", pid).isTrue();
    assertThat(TestWorkerd.get(provider.endpoint(ref).orElseThrow(), "/").body()).as("it still serves").isEqualTo("ok");
    request.cancel(true);
  }

  @Test
  void aSpinningProcessHeldToHalfACoreIsKilledToo() throws Exception {
    TestCgroups.require(dataDir);
    FunctionRef ref = deploy(new Limits(0, 0.5, 0, null));
    long pid = provider.pid(ref).orElseThrow();
    CompletableFuture<HttpResponse<String>> request = timeOut(ref, "/spin");

    runCheck();

    assertThat(Processes.await(DEADLINE, () -> !Processes.isRunning(pid)))
        .as("workerd %d spinning at its cpus limit of 0.5", pid).isTrue();
    request.cancel(true);
  }
}
