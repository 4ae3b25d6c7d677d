package dev.faas4j.examples.fresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17's "done when", end to end: starting from an empty directory, a Spring Boot application
 * ({@code src/it/spring-boot-app}) with {@code faas4j-spring-boot-starter}, one property and no
 * faas4j code of its own deploys and serves a function, keeps its own {@code /api/...} endpoint,
 * passes a test that uses the in-memory provider, and works on a machine without npm
 * ({@link FreshMachine}).
 *
 * <p>The application's own build ({@code mvn verify}: its test, then the executable jar) runs on the
 * fresh machine; then its jar runs there, and this test deploys a function through the admin API,
 * calls it by Host, calls the application's own controller, and stops the application as a
 * service manager would (SIGTERM), after which no workerd may remain. It prints how long each step
 * took.
 */
@ExtendWith(FreshMachine.Setup.class)
class FreshSpringBootIT {

  private static final Path TEMPLATE = FreshMachine.ROOT.resolve("examples/fresh-project/src/it/spring-boot-app");
  private static final Pattern LISTENING = Pattern.compile("Tomcat started on port (\\d+)");
  /** Sends the Host header: failsafe runs this JVM with {@code -Djdk.httpclient.allowRestrictedHeaders=host}. */
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aSpringBootApplicationWithTheStarterAndOnePropertyServesFunctionsAndItsOwnApi(FreshMachine machine)
      throws Exception {
    String token = theApplicationIsWhatTheIssueSays();
    Path project = FreshMachine.project("spring-boot-app", machine.dir().resolve("fresh-spring-app"));

    // 1. Its own build and test.
    FreshMachine.Ran build = FreshMachine.run(machine.maven(project, "-q", "verify"), Duration.ofMinutes(3),
        machine.dir().resolve("build.log"));
    assertThat(build.exitCode()).as("exit code of the application's build; its output:%n%s", build.output()).isZero();
    Path report = project.resolve("target/surefire-reports/TEST-example.FreshApplicationTest.xml");
    assertThat(report).as("the application's test report").isRegularFile();
    assertThat(Files.readString(report)).as("the application's test, run with the in-memory provider")
        .contains("tests=\"1\"", "failures=\"0\"", "errors=\"0\"", "skipped=\"0\"");
    assertThat(machine.home().resolve(".cache/faas4j"))
        .as("the in-memory test extracted no workerd: it never looked for one").doesNotExist();

    // 2. The application, as `java -jar` runs it, in an empty working directory.
    Path jar = project.resolve("target/fresh-spring-app-1.0.jar");
    Path workDir = Files.createDirectories(machine.dir().resolve("run"));
    Path log = machine.dir().resolve("app.log");
    long started = System.nanoTime();
    Process app = machine.process(List.of(FreshMachine.java(), "-jar", jar.toString(), "--server.port=0"), workDir)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    List<ProcessHandle> workerds = List.of();
    try {
      int port = awaitPort(app, log);
      long listening = (System.nanoTime() - started) / 1_000_000;

      // 3. A function deployed and served, the application's own endpoint untouched.
      long deploying = System.nanoTime();
      HttpResponse<String> deployed = send(HttpRequest.newBuilder(url(port, "/faas4j/api/deploy/hello"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"v1\",\"code\":\"export default { fetch() "
              + "{ return new Response('hello from a function in a fresh Spring Boot app') } }\"}")));
      assertThat(deployed.statusCode()).as("deploy: %s", deployed.body()).isEqualTo(200);
      HttpResponse<String> called = send(HttpRequest.newBuilder(url(port, "/")).header("Host", "v1.hello.func.local"));
      long served = (System.nanoTime() - deploying) / 1_000_000;
      assertThat(called.statusCode()).as("the function's answer: %s", called.body()).isEqualTo(200);
      assertThat(called.body()).isEqualTo("hello from a function in a fresh Spring Boot app");

      HttpResponse<String> own = send(HttpRequest.newBuilder(url(port, "/api/hello")));
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(own.body()).isEqualTo("hello from the application's own controller");

      Path binary = extractedBinary(machine);
      workerds = app.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/workerd")).orElse(false))
          .toList();
      assertThat(workerds).as("the workerd processes serving the function").isNotEmpty()
          .allSatisfy(p -> assertThat(p.info().command()).as("binary of workerd %d", p.pid()).contains(binary.toString()));

      // 4. Stopped as a service manager stops it; its graceful shutdown stops every workerd.
      app.destroy();
      assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the application stopped after SIGTERM").isTrue();
      String output = FreshMachine.read(log);
      assertThat(output).as("the application's output").contains("Graceful shutdown complete");
      assertThat(awaitGone(workerds)).as("workerd processes alive after the application stopped").isEmpty();

      System.out.printf("fresh Spring Boot app: build and test %d ms, start to listening %d ms, deploy to first 200 %d ms"
          + " (workerd extracted to %s)%n%s%n", build.millis(), listening, served, binary, output);
    } finally {
      app.descendants().forEach(ProcessHandle::destroyForcibly);
      workerds.forEach(ProcessHandle::destroyForcibly);
      app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Checks the template against the issue: one property (the admin token, returned), and no faas4j
   * code in the application's main sources.
   */
  private static String theApplicationIsWhatTheIssueSays() throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(TEMPLATE.resolve("src/main/resources/application.properties"))) {
      properties.load(reader);
    }
    assertThat(properties.stringPropertyNames()).as("the application's properties").containsExactly("faas4j.admin.token");
    try (Stream<Path> sources = Files.walk(TEMPLATE.resolve("src/main/java"))) {
      for (Path source : sources.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(source)).as("%s uses no faas4j type", source.getFileName()).doesNotContain("dev.faas4j");
      }
    }
    return properties.getProperty("faas4j.admin.token");
  }

  /** The port the application logs once Tomcat listens; fails when it exits or takes over a minute. */
  private static int awaitPort(Process app, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      String output = FreshMachine.read(log);
      Matcher listening = LISTENING.matcher(output);
      if (listening.find()) {
        return Integer.parseInt(listening.group(1));
      }
      assertThat(app.isAlive()).as("the application is running; its output:%n%s", output).isTrue();
      assertThat(System.nanoTime() - deadline).as("the application listens within a minute; its output:%n%s", output)
          .isNegative();
      Thread.sleep(50);
    }
  }

  /** The one binary the application extracted from the runtime jar into the empty home's cache. */
  private static Path extractedBinary(FreshMachine machine) throws IOException {
    Path cache = machine.workerdCache();
    assertThat(cache).as("the workerd cache in the empty home").isDirectory();
    List<Path> dirs;
    try (Stream<Path> extracted = Files.list(cache)) {
      dirs = extracted.filter(Files::isDirectory).toList();
    }
    assertThat(dirs).as("binaries extracted into %s", cache).singleElement().asString()
        .contains(FreshMachine.classifier() + "-");
    Path binary = dirs.get(0).resolve("workerd");
    assertThat(binary).isExecutable();
    return binary;
  }

  /** The processes still alive once they have had a few seconds to go. */
  private static List<ProcessHandle> awaitGone(List<ProcessHandle> processes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return processes.stream().filter(ProcessHandle::isAlive).toList();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI url(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
