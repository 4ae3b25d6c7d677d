package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freezing real workerd processes: with the cgroup freezer this machine offers, and with the
 * SIGSTOP fallback (a provider without cgroups). What a frozen process does with its timers, its
 * clock and its open connections is specified here.
 */
class WorkerdFreezeTest {

  private static final Duration DEADLINE = Duration.ofSeconds(15);
  /** Counts background timers that fired; answers the count, or Date.now() on /now. */
  private static final String CODE = """
      let fired = 0;
      export default {
        async fetch(request, env, ctx) {
          const path = new URL(request.url).pathname;
          if (path === '/now') return new Response(String(Date.now()));
          if (path === '/later') {
            ctx.waitUntil(new Promise(resolve => setTimeout(() => { fired++; resolve(); }, 300)));
            return new Response('scheduled');
          }
          return new Response('fired ' + fired);
        }
      };
      """;

  @TempDir
  Path dataDir;

  private WorkerdProvider provider;
  private final ExecutorService background = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() throws InterruptedException {
    background.shutdownNow();
    assertThat(background.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    if (provider != null) {
      provider.close();
    }
  }

  private FunctionRef started(WorkerdProviderBuilder builder) throws Exception {
    provider = builder.build();
    FunctionSpec spec = FunctionSpec.builder("icy").version("v1").code(CODE).build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    return spec.ref();
  }

  private String get(FunctionRef ref, String path) throws Exception {
    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(ref).orElseThrow(), path);
    assertThat(response.statusCode()).as("status of %s", path).isEqualTo(200);
    return response.body();
  }

  private long pid(FunctionRef ref) {
    return provider.pid(ref).orElseThrow(() -> new AssertionError("no live process for " + ref));
  }

  /** The state letter of {@code /proc/<pid>/stat}: 'T' for a stopped process. */
  private static char procState(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @Test
  void theCgroupFreezerFreezesAndThawsTheProcess() throws Exception {
    TestCgroups.require(dataDir);
    FunctionRef ref = started(TestWorkerd.builder(dataDir));
    assertThat(get(ref, "/")).isEqualTo("fired 0");

    provider.freeze(ref);

    Optional<Path> v1 = provider.cgroupDir(ref, "freezer");
    if (v1.isPresent()) {
      assertThat(TestCgroups.read(v1.get().resolve("freezer.state"))).isEqualTo("FROZEN");
    } else {
      Path group = provider.cgroupDir(ref, "memory").orElseThrow(() -> new AssertionError("no cgroup"));
      assertThat(Files.readString(group.resolve("cgroup.events"))).contains("frozen 1");
    }
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.FROZEN);
    assertThat(provider.frozenMemoryBytes(ref)).as("RssAnon + RssShmem of a frozen workerd").isPositive();

    provider.thaw(ref);

    v1.ifPresent(dir -> assertThat(TestCgroups.read(dir.resolve("freezer.state"))).isEqualTo("THAWED"));
    assertThat(get(ref, "/")).isEqualTo("fired 0");
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.RUNNING);
    assertThat(provider.frozenMemoryBytes(ref)).isZero();
  }

  @Test
  void withoutCgroupsTheProcessIsStoppedWithSigstop() throws Exception {
    FunctionRef ref = started(TestWorkerd.builder(dataDir).enforceLimits(false));
    long pid = pid(ref);

    provider.freeze(ref);
    assertThat(procState(pid)).as("state in /proc/%d/stat", pid).isEqualTo('T');
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.FROZEN);

    provider.thaw(ref);
    assertThat(procState(pid)).isNotEqualTo('T');
    assertThat(get(ref, "/")).isEqualTo("fired 0");
    assertThat(pid(ref)).as("the same process serves: a thaw is not a restart").isEqualTo(pid);
  }

  @Test
  void aRequestArrivingWhileFrozenIsAnsweredAfterTheThaw() throws Exception {
    FunctionRef ref = started(TestWorkerd.builder(dataDir));
    Endpoint endpoint = provider.endpoint(ref).orElseThrow();
    provider.freeze(ref);

    CompletableFuture<HttpResponse<String>> pending = CompletableFuture.supplyAsync(() -> {
      try {
        return TestWorkerd.get(endpoint, "/");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, background);
    Thread.sleep(300); // give the request time to reach the frozen process's socket

    assertThat(pending).as("no answer from a frozen process").isNotDone();
    provider.thaw(ref);
    HttpResponse<String> answer = pending.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("fired 0");
  }

  @Test
  void aKeepAliveConnectionOpenedBeforeTheFreezeServesAfterTheThaw() throws Exception {
    FunctionRef ref = started(TestWorkerd.builder(dataDir));
    Endpoint.Http endpoint = (Endpoint.Http) provider.endpoint(ref).orElseThrow();
    try (Socket socket = new Socket(endpoint.baseUri().getHost(), endpoint.baseUri().getPort())) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(exchange(out, in)).isEqualTo("fired 0");

      provider.freeze(ref);
      Thread.sleep(200);
      provider.thaw(ref);

      assertThat(exchange(out, in)).as("the same TCP connection, after a freeze").isEqualTo("fired 0");

      provider.freeze(ref);
      out.write(request()); // written while frozen: the kernel buffers it
      out.flush();
      provider.thaw(ref);
      assertThat(readBody(in)).as("a request written into the frozen process's connection").isEqualTo("fired 0");
    }
  }

  @Test
  void aTimerPendingAtTheFreezeFiresAfterTheThawAndTheClockKeepsWallTime() throws Exception {
    FunctionRef ref = started(TestWorkerd.builder(dataDir));
    long before = Long.parseLong(get(ref, "/now"));
    assertThat(get(ref, "/later")).isEqualTo("scheduled");
    provider.freeze(ref); // the 300 ms timer is pending
    Thread.sleep(1000);

    provider.thaw(ref);

    // the timer was not lost: it fires once the process runs again
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    String fired;
    while (!(fired = get(ref, "/")).equals("fired 1") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(fired).isEqualTo("fired 1");
    long after = Long.parseLong(get(ref, "/now"));
    assertThat(after - before).as("Date.now() counts the time spent frozen").isGreaterThanOrEqualTo(1000);
  }

  @Test
  void scalingAFrozenVersionToOneThawsIt() throws Exception {
    FunctionRef ref = started(TestWorkerd.builder(dataDir).enforceLimits(false));
    long pid = pid(ref);
    provider.freeze(ref);

    provider.scale(ref, 1);

    assertThat(procState(pid)).isNotEqualTo('T');
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.RUNNING);
    assertThat(get(ref, "/")).isEqualTo("fired 0");
    assertThat(pid(ref)).isEqualTo(pid);
  }

  @Test
  void aFrozenProcessIsNotACrashAndStopsPromptlyWhenScaledToZero() throws Exception {
    FunctionRef ref = started(TestWorkerd.builder(dataDir));
    long pid = pid(ref);
    provider.freeze(ref);

    assertThat(provider.endpoint(ref)).as("a frozen process keeps its endpoint").isPresent();
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.FROZEN);
    assertThat(provider.status(ref).detail()).doesNotContain("exited").doesNotContain("crash");

    provider.scale(ref, 0);

    assertThat(Processes.isRunning(pid)).as("pid %d after scale(0) of a frozen version", pid).isFalse();
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.STOPPED);
    assertThat(provider.status(ref).detail()).as("a stop on request is no crash").isEmpty();
  }

  private static byte[] request() {
    return "GET / HTTP/1.1\r\nHost: icy\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  private static String exchange(OutputStream out, BufferedReader in) throws Exception {
    out.write(request());
    out.flush();
    return readBody(in);
  }

  /** Reads one response with a Content-Length, leaving the connection open. */
  private static String readBody(BufferedReader in) throws Exception {
    String status = in.readLine();
    assertThat(status).startsWith("HTTP/1.1 200");
    int length = -1;
    for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    assertThat(length).as("Content-Length").isNotNegative();
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      read += in.read(body, read, length - read);
    }
    return new String(body);
  }
}
