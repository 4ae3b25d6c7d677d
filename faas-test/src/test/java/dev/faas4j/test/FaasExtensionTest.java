package dev.faas4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.testing.InMemoryProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The extension as a user's build runs it: each scenario class below is launched through JUnit,
 * and the test checks what it left behind: every Faas closed, every workerd process gone, every
 * temporary directory deleted, also when the test failed.
 */
class FaasExtensionTest {

  /** What the scenarios saw; each test clears it first. */
  static final List<Faas> SEEN = Collections.synchronizedList(new ArrayList<>());
  static final List<ProcessHandle> WORKERD = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void clear() {
    SEEN.clear();
    WORKERD.clear();
  }

  private static void assertClosed(Faas faas) {
    assertThatThrownBy(() -> faas.invoke("any", null, FunctionRequest.get("/")))
        .as("a call on a Faas after its test").isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.UNAVAILABLE));
  }

  private static void assertAllPassed(TestExecutionSummary summary, long tests) {
    assertThat(summary.getFailures()).as("failures").isEmpty();
    assertThat(summary.getTestsSucceededCount()).as("tests that passed").isEqualTo(tests);
  }

  // ---------------------------------------------------------------------------------------------

  @ExtendWith(Scenarios.OnlyWhenLaunched.class)
  @ExtendWith(FaasExtension.class)
  static class InjectedInMemory {
    @BeforeEach
    void deployGreeter(Faas faas, InMemoryProvider functions) {
      functions.handler("greet", request -> FunctionResponse.ok("hi " + request.path()));
      faas.deploy(FunctionSpec.builder("hello").runtime("java").version("v1").code("greet").build(), null);
    }

    @Test
    void first(Faas faas) {
      SEEN.add(faas);
      assertThat(faas.list()).hasSize(1);
      assertThat(faas.invoke("hello", "v1", FunctionRequest.get("/one")).bodyAsString()).isEqualTo("hi /one");
      faas.deploy(FunctionSpec.builder("extra").runtime("java").version("v1").code("greet").build(), null);
    }

    @Test
    void second(Faas faas) {
      SEEN.add(faas);
      assertThat(faas.list()).as("nothing of the other test").hasSize(1);
    }
  }

  @Test
  void injectedParametersAreAFreshFaasPerTestClosedAfterIt() {
    assertAllPassed(Scenarios.run(InjectedInMemory.class), 2);

    assertThat(SEEN).hasSize(2).doesNotHaveDuplicates();
    SEEN.forEach(FaasExtensionTest::assertClosed);
  }

  // ---------------------------------------------------------------------------------------------

  @ExtendWith(Scenarios.OnlyWhenLaunched.class)
  static class Registered {
    @RegisterExtension
    static final FaasExtension FAAS = FaasExtension.inMemory()
        .handler("greet", request -> FunctionResponse.ok("hello"))
        .configure(builder -> builder.domain("fn.test").mountPath("/fn"));

    @Test
    void handlersAndSettingsApply() {
      Faas faas = FAAS.faas();
      SEEN.add(faas);
      assertThat(faas.domain()).isEqualTo("fn.test");
      faas.deploy(FunctionSpec.builder("hello").runtime("java").version("v1").code("greet").build(), "live");
      assertThat(faas.invoke("hello", "live", FunctionRequest.get("/")).bodyAsString()).isEqualTo("hello");
      assertThat(FAAS.provider().isRunning(new dev.faas4j.api.FunctionRef("hello", "v1"))).isTrue();
    }

    @Test
    void aFailingTestStillGetsItsFaasClosed() {
      SEEN.add(FAAS.faas());
      throw new AssertionError("this scenario fails on purpose");
    }
  }

  @Test
  void aRegisteredExtensionAppliesHandlersAndSettingsAndClosesAfterAFailureToo() {
    TestExecutionSummary summary = Scenarios.run(Registered.class);

    assertThat(summary.getTestsSucceededCount()).as("passed").isEqualTo(1);
    assertThat(summary.getFailures()).as("failures").singleElement()
        .satisfies(f -> assertThat(f.getException()).hasMessageContaining("on purpose"));
    assertThat(SEEN).hasSize(2);
    SEEN.forEach(FaasExtensionTest::assertClosed);
  }

  // ---------------------------------------------------------------------------------------------

  @ExtendWith(Scenarios.OnlyWhenLaunched.class)
  static class OnWorkerd {
    @RegisterExtension
    static final FaasExtension FAAS = FaasExtension.workerd();

    @Test
    void aJavaScriptFunctionRunsOnWorkerd(Faas faas) {
      SEEN.add(faas);
      faas.deploy(FunctionSpec.builder("hello").version("v1")
          .code("export default { fetch(request) { return new Response('from workerd ' + new URL(request.url).pathname) } }")
          .build(), null);
      assertThat(faas.invoke("hello", null, FunctionRequest.get("/x")).bodyAsString()).isEqualTo("from workerd /x");
      ProcessHandle.current().descendants()
          .filter(p -> p.info().command().map(c -> c.endsWith("workerd")).orElse(false))
          .forEach(WORKERD::add);
    }
  }

  @Test
  void onWorkerdEveryProcessAndTheDataDirAreGoneAfterTheTest() throws IOException {
    Set<Path> before = testDirs();

    assertAllPassed(Scenarios.run(OnWorkerd.class), 1);

    assertThat(WORKERD).as("workerd processes seen during the test").isNotEmpty()
        .allSatisfy(p -> assertThat(p.isAlive()).as("pid " + p.pid() + " alive").isFalse());
    assertThat(testDirs()).as("temporary data directories").isEqualTo(before);
    SEEN.forEach(FaasExtensionTest::assertClosed);
  }

  @ExtendWith(Scenarios.OnlyWhenLaunched.class)
  static class LeavesAProcess {
    @RegisterExtension
    static final FaasExtension FAAS = FaasExtension.workerd();

    /** Starts a process that names the test's data dir, as a workerd that outlived its Faas would. */
    @Test
    void leavesAProcessBehind(Faas faas) throws IOException {
      faas.deploy(FunctionSpec.builder("hello").version("v1")
          .code("export default { fetch() { return new Response('x') } }").build(), null);
      String dataDir = ProcessHandle.current().descendants()
          .map(p -> p.info().commandLine().orElse(""))
          .map(line -> java.util.regex.Pattern.compile("(/\\S*/faas4j-test-[^/\\s]+)").matcher(line))
          .filter(java.util.regex.Matcher::find).map(m -> m.group(1)).findFirst().orElseThrow();
      WORKERD.add(new ProcessBuilder("sh", "-c", "sleep 60", dataDir + "/not-workerd").start().toHandle());
    }
  }

  @Test
  void aProcessThatOutlivesTheFaasFailsTheTestAndIsKilled() {
    TestExecutionSummary summary = Scenarios.run(LeavesAProcess.class);

    assertThat(summary.getFailures()).as("failures; tests found %d, passed %d, processes %s",
            summary.getTestsFoundCount(), summary.getTestsSucceededCount(), WORKERD).singleElement()
        .satisfies(f -> assertThat(f.getException()).isInstanceOf(AssertionError.class)
            .hasMessageContaining("still running after the Faas was closed"));
    assertThat(WORKERD).singleElement().satisfies(p -> assertThat(p.isAlive()).as("the leftover").isFalse());
  }

  private static Set<Path> testDirs() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(p -> p.getFileName().toString().startsWith("faas4j-test-")).collect(Collectors.toSet());
    }
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void handlersAreForTheInMemoryBackendOnly() {
    assertThatThrownBy(() -> FaasExtension.workerd().handler("x", request -> FunctionResponse.ok("")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("in-memory");
  }

  @Test
  void faasOutsideATestSaysWhy() {
    assertThatThrownBy(() -> FaasExtension.inMemory().faas())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no test is running");
  }
}
