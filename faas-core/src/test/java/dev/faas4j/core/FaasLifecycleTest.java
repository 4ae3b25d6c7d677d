package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus.State;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Versions, aliases, rollback, idle suspension and lazy start, observed through real HTTP
 * requests to a Jetty server with {@link FaasFilter}, on the in-memory provider and store with a
 * hand-moved clock.
 */
class FaasLifecycleTest {

  private final MutableClock clock = new MutableClock();
  /** Each version answers with its code, so the body says which version served. */
  private final InMemoryProvider provider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
  private JettyHarness http;

  private Faas start(boolean keepLatestWarm) throws Exception {
    Faas faas = Faas.builder()
        .provider(provider)
        .store(new InMemoryStore())
        .clock(clock)
        .idleTimeout(Duration.ofSeconds(60))
        .maintenanceInterval(Duration.ZERO)
        .keepLatestWarm(keepLatestWarm)
        .mountPath("/fn")
        .build();
    http = new JettyHarness(faas);
    return faas;
  }

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
  }

  private static FunctionSpec version(String name, String version, String body) {
    return FunctionSpec.builder(name).runtime(InMemoryProvider.RUNTIME).version(version).code(body).build();
  }

  @Test
  void theLatestVersionServesTheBareHost() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);

    assertThat(http.call("hello.func.local")).isEqualTo("one");
    assertThat(http.call("v1.hello.func.local")).isEqualTo("one");
  }

  @Test
  void aDeployWithAnAliasServesTheNewVersionAtTheAliasAndTheBareHost() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);

    faas.deploy(version("hello", "v2", "two"), "test");

    assertThat(http.call("test.hello.func.local")).as("alias").isEqualTo("two");
    assertThat(http.call("hello.func.local")).as("bare host = latest").isEqualTo("two");
    assertThat(http.call("v1.hello.func.local")).as("v1 is kept").isEqualTo("one");
  }

  @Test
  void thePreviousVersionServesWhileTheNewOneStarts() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    provider.holdStarts();
    ExecutorService deployer = Executors.newSingleThreadExecutor();
    try {
      Future<Deployment> deploying = deployer.submit(() -> faas.deploy(version("hello", "v2", "two"), null));
      awaitCondition(() -> provider.heldStarts() == 1); // v2's start is under way

      assertThat(http.call("hello.func.local")).as("bare host while v2 is starting").isEqualTo("one");
      assertThat(faas.describe("hello").latest()).isEqualTo("v1");

      provider.releaseStarts();
      assertThat(deploying.get().version()).isEqualTo("v2");
      assertThat(http.call("hello.func.local")).as("bare host once v2 is ready").isEqualTo("two");
    } finally {
      provider.releaseStarts();
      deployer.shutdownNow();
    }
  }

  @Test
  void rollbackPointsLatestAtTheGivenVersion() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    faas.deploy(version("hello", "v2", "two"), "test");

    Deployment rolledBack = faas.rollback("hello", "v1", null);

    assertThat(rolledBack.version()).isEqualTo("v1");
    assertThat(http.call("hello.func.local")).as("bare host after rollback").isEqualTo("one");
    assertThat(http.call("v2.hello.func.local")).as("v2 still reachable").isEqualTo("two");
    assertThat(http.call("test.hello.func.local")).as("the alias did not move").isEqualTo("two");
  }

  @Test
  void namesAreCaseInsensitiveAndAnswersKeepTheDeployedSpelling() throws Exception {
    Faas faas = start(true);
    Deployment deployed = faas.deploy(version("envTest", "v1", "mixed"), null);

    assertThat(deployed.subdomain()).isEqualTo("v1.envTest.func.local");
    assertThat(http.call("v1.envTest.func.local")).isEqualTo("mixed");
    assertThat(http.call("v1.envtest.func.local")).isEqualTo("mixed");
    assertThat(http.call("V1.ENVTEST.FUNC.LOCAL")).isEqualTo("mixed");

    faas.deploy(version("ENVTEST", "v2", "second"), null);
    assertThat(faas.list()).extracting(FunctionInfo::name).as("one function, first spelling").containsExactly("envTest");
  }

  @Test
  void aHostWithAPortOrATrailingDotIsRouted() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);

    assertThat(http.call("v1.hello.func.local:8081")).isEqualTo("one");
    assertThat(http.call("hello.func.local.")).isEqualTo("one");
  }

  @Test
  void functionsAreReachableUnderTheMountPath() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    faas.deploy(version("hello", "v2", "two"), "test");

    assertThat(http.get("127.0.0.1", "/fn/hello/any/path?x=1").body()).isEqualTo("two");
    assertThat(http.get("127.0.0.1", "/fn/hello@v1").body()).isEqualTo("one");
    assertThat(http.get("127.0.0.1", "/fn/hello@test/x").body()).isEqualTo("two");
  }

  @Test
  void anUnknownFunctionOrVersionIsA404WithAJsonError() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);

    HttpResponse<String> noFunction = http.get("nobody.func.local", "/");
    assertThat(noFunction.statusCode()).isEqualTo(404);
    assertThat(noFunction.body()).contains("\"status\":\"error\"").contains("nobody");
    assertThat(http.get("v9.hello.func.local", "/").statusCode()).as("unknown version").isEqualTo(404);
    assertThat(http.get("a.b.hello.func.local", "/").statusCode()).as("too many labels").isEqualTo(404);
    assertThat(http.get("127.0.0.1", "/fn/no_such!").statusCode()).as("invalid name in a path").isEqualTo(404);
  }

  @Test
  void requestsThatAreNotFunctionTrafficReachTheApplicationUntouched() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);

    HttpResponse<String> app = http.get("myapp.example.com", "/app/orders?id=3");
    assertThat(app.statusCode()).isEqualTo(200);
    assertThat(app.body()).isEqualTo("app:/app/orders");
    assertThat(http.get("func.local", "/app/x").body()).as("the bare domain is not a function").isEqualTo("app:/app/x");
  }

  @Test
  void anIdleVersionIsSuspendedAfterTheTimeoutAndStartedAgainByTheNextRequest() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    faas.deploy(version("hello", "v2", "two"), null);
    FunctionRef v1 = new FunctionRef("hello", "v1");
    assertThat(http.call("v1.hello.func.local")).isEqualTo("one");
    awaitIdle(faas);

    clock.advance(Duration.ofSeconds(59));
    assertThat(faas.suspendIdle()).as("not idle long enough yet").isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(faas.suspendIdle()).as("idle for 61s").containsExactly(v1);

    assertThat(provider.isRunning(v1)).isFalse();
    assertThat(state(faas, "v1")).isEqualTo(State.SUSPENDED);
    assertThat(state(faas, "v2")).as("the latest is kept warm").isEqualTo(State.RUNNING);

    assertThat(http.call("v1.hello.func.local")).as("woken by a request").isEqualTo("one");
    assertThat(provider.starts(v1)).isEqualTo(2);
    assertThat(state(faas, "v1")).isEqualTo(State.RUNNING);
  }

  @Test
  void requestsKeepAVersionAwake() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    faas.deploy(version("hello", "v2", "two"), null);
    http.call("v1.hello.func.local");

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(30));
      http.call("v1.hello.func.local");
      awaitIdle(faas);
      assertThat(faas.suspendIdle()).isEmpty();
    }
    assertThat(provider.starts(new FunctionRef("hello", "v1"))).isEqualTo(1);
  }

  @Test
  void aVersionStaysLeasedUntilItsStreamingAnswerEndsNotUntilTheFilterReturns() throws Exception {
    CountDownLatch sendTheRest = new CountDownLatch(1);
    try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> answerInTwoParts(upstream, sendTheRest), "streaming-upstream");
      answering.setDaemon(true);
      answering.start();
      // the in-memory lifecycle, but the function is reached over HTTP: the proxy's async path
      FunctionProvider overHttp = new OverHttpProvider(provider, Endpoint.Http.loopback(upstream.getLocalPort()));
      Faas faas = Faas.builder().provider(overHttp).store(new InMemoryStore()).clock(clock)
          .idleTimeout(Duration.ofSeconds(60)).maintenanceInterval(Duration.ZERO).keepLatestWarm(false).build();
      http = new JettyHarness(faas);
      faas.deploy(version("hello", "v1", "unused"), null);

      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), http.port())) {
        client.getOutputStream().write(
            "GET / HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = client.getInputStream();
        String received = readUntil(in, "first");

        assertThat(received).as("the answer has started").startsWith("HTTP/1.1 200");
        assertThat(faas.describe("hello").versions().get(0).activeRequests())
            .as("the filter has returned, the answer is still streaming").isEqualTo(1);
        clock.advance(Duration.ofSeconds(61));
        assertThat(faas.suspendIdle()).as("a version in the middle of an answer is not idle").isEmpty();

        sendTheRest.countDown();
        assertThat(readUntil(in, "last")).as("the rest of the answer").contains("last");
      }
      awaitIdle(faas);
      clock.advance(Duration.ofSeconds(61));
      assertThat(faas.suspendIdle()).as("idle once the answer ended").containsExactly(new FunctionRef("hello", "v1"));
    }
  }

  /** Reads the head and a first chunk, then the rest when released; the connection stays open. */
  private static void answerInTwoParts(ServerSocket upstream, CountDownLatch sendTheRest) {
    try (Socket socket = upstream.accept()) {
      readUntil(socket.getInputStream(), "\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      sendTheRest.await();
      out.write("4\r\nlast\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.getInputStream().read(); // until the proxy closes its pooled connection
    } catch (IOException | InterruptedException e) {
      // the test ended
    }
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    while (seen.indexOf(marker) < 0) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection ended before '" + marker.strip() + "'; got: " + seen);
      }
      seen.append((char) b);
    }
    return seen.toString();
  }

  @Test
  void withoutKeepLatestWarmEvenTheLatestStartsLazilyAndIsSuspended() throws Exception {
    Faas faas = start(false);
    faas.deploy(version("hello", "v1", "one"), null);
    FunctionRef v1 = new FunctionRef("hello", "v1");
    assertThat(provider.starts(v1)).as("not started at deploy").isZero();

    assertThat(http.call("hello.func.local")).isEqualTo("one");
    awaitIdle(faas);
    clock.advance(Duration.ofMinutes(2));

    assertThat(faas.suspendIdle()).containsExactly(v1);
  }

  @Test
  void anInstanceTheProviderLeftRunningAtDeployIsSuspendedWhenIdle() throws Exception {
    provider.startOnDeploy(true); // as workerd does: it starts a version to validate it
    Faas faas = start(false);
    FunctionRef v1 = new FunctionRef("hello", "v1");

    faas.deploy(version("hello", "v1", "one"), null);

    assertThat(state(faas, "v1")).as("adopted as running").isEqualTo(State.RUNNING);
    clock.advance(Duration.ofMinutes(2));
    assertThat(faas.suspendIdle()).containsExactly(v1);
    assertThat(provider.isRunning(v1)).isFalse();
  }

  @Test
  void fiftyConcurrentFirstRequestsCauseExactlyOneStart() throws Exception {
    Faas faas = start(false);
    faas.deploy(version("hello", "v1", "one"), null);
    FunctionRef v1 = new FunctionRef("hello", "v1");
    provider.holdStarts();

    ExecutorService clients = Executors.newFixedThreadPool(50);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        answers.add(clients.submit(() -> http.call("hello.func.local")));
      }
      awaitState(faas, "v1", State.STARTING);
      provider.releaseStarts();
      for (Future<String> answer : answers) {
        assertThat(answer.get()).isEqualTo("one");
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(provider.starts(v1)).as("starts for 50 concurrent first requests").isEqualTo(1);
  }

  @Test
  void aVersionThatCannotStartAnswers503WithTheReason() throws Exception {
    Faas faas = start(false);
    faas.deploy(version("hello", "v1", "one"), null);
    provider.failStarts(new FunctionRef("hello", "v1"), "boom: out of coffee");

    HttpResponse<String> response = http.get("hello.func.local", "/");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("out of coffee");
    assertThat(state(faas, "v1")).isEqualTo(State.FAILED);
  }

  @Test
  void aDeployWhoseVersionCannotStartIsRefusedAndThePreviousVersionKeepsServing() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    provider.failStarts(new FunctionRef("hello", "v2"), "SyntaxError: unexpected token");

    assertThatThrownBy(() -> faas.deploy(version("hello", "v2", "two"), null))
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_FUNCTION);
          assertThat(e.getMessage()).contains("SyntaxError");
        });

    assertThat(http.call("hello.func.local")).isEqualTo("one");
    assertThat(faas.describe("hello").versions()).extracting(VersionInfo::version).containsExactly("v1");
  }

  @Test
  void aCrashedInstanceIsRestartedByTheNextRequest() throws Exception {
    Faas faas = start(false);
    faas.deploy(version("hello", "v1", "one"), null);
    FunctionRef v1 = new FunctionRef("hello", "v1");
    http.call("hello.func.local");

    provider.crash(v1);

    assertThat(http.call("hello.func.local")).isEqualTo("one");
    assertThat(provider.starts(v1)).isEqualTo(2);
  }

  @Test
  void aCrashedLatestVersionIsRestartedByMaintenanceWithoutARequest() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    FunctionRef v1 = new FunctionRef("hello", "v1");

    provider.crash(v1);
    faas.suspendIdle();

    awaitCondition(() -> provider.isRunning(v1));
    assertThat(provider.starts(v1)).isEqualTo(2);
  }

  @Test
  void aStoppedVersionIsStartedAgainByTheNextRequest() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);

    faas.stop("hello", "v1");
    assertThat(state(faas, "v1")).isEqualTo(State.STOPPED);
    assertThat(provider.isRunning(new FunctionRef("hello", "v1"))).isFalse();

    assertThat(http.call("hello.func.local")).isEqualTo("one");
  }

  @Test
  void functionsComeBackFromTheStoreAfterARestart() throws Exception {
    InMemoryStore store = new InMemoryStore();
    try (Faas first = Faas.builder().provider(provider).store(store).maintenanceInterval(Duration.ZERO).build()) {
      first.deploy(version("hello", "v1", "one"), null);
      first.deploy(version("hello", "v2", "two"), "test");
      first.rollback("hello", "v1", null);
    }
    InMemoryProvider freshProvider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
    Faas second = Faas.builder().provider(freshProvider).store(store).maintenanceInterval(Duration.ZERO).build();
    http = new JettyHarness(second);

    assertThat(http.call("hello.func.local")).isEqualTo("one");
    assertThat(http.call("test.hello.func.local")).isEqualTo("two");
    assertThat(freshProvider.starts(new FunctionRef("hello", "v2"))).as("restored lazily, started on demand").isEqualTo(1);
  }

  @Test
  void withEagerRestoreTheLatestVersionsStartWithoutARequest() throws Exception {
    InMemoryStore store = new InMemoryStore();
    try (Faas first = Faas.builder().provider(provider).store(store).maintenanceInterval(Duration.ZERO).build()) {
      first.deploy(version("hello", "v1", "one"), null);
      first.deploy(version("hello", "v2", "two"), null);
    }
    InMemoryProvider freshProvider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));

    try (Faas second = Faas.builder().provider(freshProvider).store(store).eagerRestore(true)
        .maintenanceInterval(Duration.ZERO).build()) {
      // Faas's own view, not the provider's: a version is RUNNING once its start completed in faas,
      // a moment after the provider reports it running.
      awaitCondition(() -> state(second, "v2") == State.RUNNING);
      assertThat(freshProvider.isRunning(new FunctionRef("hello", "v2"))).as("the latest, started eagerly").isTrue();
      assertThat(freshProvider.starts(new FunctionRef("hello", "v1"))).as("only the latest is started").isZero();
    }
  }

  private static State state(Faas faas, String version) {
    return faas.describe("hello").versions().stream()
        .filter(v -> v.version().equals(version)).findFirst().orElseThrow().state();
  }

  /** Waits until the server threads have released every request (they may finish after the client). */
  private static void awaitIdle(Faas faas) throws InterruptedException {
    awaitCondition(() -> faas.list().stream().flatMap(f -> f.versions().stream()).allMatch(v -> v.activeRequests() == 0));
  }

  private static void awaitState(Faas faas, String version, State expected) throws InterruptedException {
    awaitCondition(() -> state(faas, version) == expected);
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 10s");
      }
      Thread.sleep(5);
    }
  }
}
