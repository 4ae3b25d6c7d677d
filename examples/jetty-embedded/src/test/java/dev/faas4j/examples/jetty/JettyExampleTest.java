package dev.faas4j.examples.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application in this JVM on a free port, with the real workerd and a real SQLite file: its
 * servlet and a deployed function answer on the same port; stopping it leaves no workerd process
 * and no thread behind.
 */
class JettyExampleTest {

  private static final String TOKEN = "s3cret";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String HELLO_V1 =
      "{\"version\":\"v1\",\"code\":\"addEventListener(\\\"fetch\\\", e => e.respondWith(new Response(\\\"hello from v1\\\")))\"}";
  /**
   * JDK threads that outlive their users by design: process exit watchers, HttpClient selectors,
   * and the shared common pool (Caffeine runs its maintenance there), each ending when idle.
   */
  private static final List<String> JDK_THREADS =
      List.of("process reaper", "HttpClient-", "Attach Listener", "ForkJoinPool.commonPool-worker-");

  @TempDir
  Path dataDir;

  private Set<Long> threadsBefore;
  private JettyExample app;

  @BeforeEach
  void start() throws Exception {
    threadsBefore = liveThreads().stream().map(Thread::getId).collect(Collectors.toSet());
    app = startOrSkip(() -> JettyExample.start(0, dataDir, TOKEN));
  }

  @AfterEach
  void stopAndCheckNothingIsLeft() throws Exception {
    if (app != null) {
      app.close();
    }
    awaitEmpty(JettyExampleTest::workerdProcesses);
    assertThat(workerdProcesses()).as("workerd processes alive after the app stopped").isEmpty();
    awaitEmpty(this::newThreads);
    assertThat(newThreads()).as("threads alive after the app stopped").isEmpty();
  }

  @Test
  void theAppsOwnServletAnswers() throws Exception {
    HttpResponse<String> response = get("localhost", "/hello");

    assertThat(response.statusCode()).as("GET /hello: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).as("GET /hello").isEqualTo("hello from the jetty app");
  }

  @Test
  void aFunctionDeployedThroughTheAdminApiAnswersAtItsHost() throws Exception {
    assertThat(deploy("hello", HELLO_V1)).as("deploy answer").contains("\"status\":\"success\"");

    HttpResponse<String> response = get("v1.hello.func.local", "/");

    assertThat(response.statusCode()).as("GET / at v1.hello.func.local: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).as("body from the function").isEqualTo("hello from v1");
  }

  @Test
  void theSameFunctionAnswersByPathUnderTheMountPath() throws Exception {
    deploy("hello", HELLO_V1);

    HttpResponse<String> response = get("localhost", "/fn/hello@v1/");

    assertThat(response.statusCode()).as("GET /fn/hello@v1/: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).as("body from the function, by path").isEqualTo("hello from v1");
  }

  @Test
  void theAdminApiWantsTheTokenAndLeavesApiToTheApplication() throws Exception {
    HttpResponse<String> noToken = HTTP.send(HttpRequest.newBuilder(url("/faas4j/api/functions"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> appsOwnApi = get("localhost", "/api/functions");

    assertThat(noToken.statusCode()).as("GET /faas4j/api/functions without a token: %s", noToken.body())
        .isEqualTo(401);
    assertThat(appsOwnApi.statusCode()).as("GET /api/functions, not the admin API's: %s", appsOwnApi.body())
        .isEqualTo(404);
    assertThat(appsOwnApi.body()).as("Jetty's own 404, not a faas4j error").doesNotContain("\"status\":\"error\"");
  }

  @Test
  void withFaasHandlerInsteadOfTheFilterFunctionsAndServletsShareThePort() throws Exception {
    app.close();
    app = null;
    app = startOrSkip(() -> JettyExample.startWithHandler(0, dataDir, TOKEN));

    deploy("hello", HELLO_V1);

    assertThat(get("v1.hello.func.local", "/").body()).as("the function, through FaasHandler").isEqualTo("hello from v1");
    assertThat(get("localhost", "/hello").body()).as("the app's servlet, behind FaasHandler")
        .isEqualTo("hello from the jetty app");
  }

  @Test
  void aFunctionComesBackAfterARestartOnTheSameDataDir() throws Exception {
    deploy("hello", HELLO_V1);
    app.close();
    app = null;

    app = JettyExample.start(0, dataDir, TOKEN);

    assertThat(get("hello.func.local", "/").body()).as("the function, restored from " + dataDir.resolve("faas.db"))
        .isEqualTo("hello from v1");
  }

  @Test
  void stoppingTheAppStopsItsWorkerdProcesses() throws Exception {
    deploy("hello", HELLO_V1);
    assertThat(workerdProcesses()).as("workerd processes while the function is deployed").isNotEmpty();

    app.close();
    app = null;

    assertThat(workerdProcesses()).as("workerd processes once close() returned").isEmpty();
  }

  /** Starts the app; without a workerd binary, fails when {@code CI=true} and skips otherwise. */
  private static JettyExample startOrSkip(Starter starter) throws Exception {
    try {
      return starter.start();
    } catch (IllegalStateException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("workerd binary")) {
        throw e;
      }
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        return fail("CI=true and " + e.getMessage());
      }
      Assumptions.abort("skipped, no workerd: " + e.getMessage());
      throw e;
    }
  }

  private String deploy(String name, String json) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(url("/faas4j/api/deploy/" + name))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST /faas4j/api/deploy/%s: %s", name, response.body()).isEqualTo(200);
    return response.body();
  }

  /** GET through the application's port, with {@code host} as the Host header. */
  private HttpResponse<String> get(String host, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(url(path)).header("Host", host).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + app.port() + path);
  }

  private interface Starter {
    JettyExample start() throws Exception;
  }

  /** Live workerd processes started, directly or not, by this JVM. */
  private static List<String> workerdProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("workerd")).orElse(false))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
  }

  private List<String> newThreads() {
    return liveThreads().stream()
        .filter(t -> !threadsBefore.contains(t.getId()))
        .map(Thread::getName)
        .filter(name -> JDK_THREADS.stream().noneMatch(name::startsWith))
        .collect(Collectors.toList());
  }

  private static List<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toList());
  }

  /** Processes and threads end shortly after close() returns: poll with a generous deadline. */
  private static void awaitEmpty(Supplier<List<String>> leftovers) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (!leftovers.get().isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
  }
}
