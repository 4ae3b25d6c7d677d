package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.workerd.internal.DataDir;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Service-worker and module functions on the real workerd: formats, env values, options, logs and their levels. */
class WorkerdFunctionsTest {

  /** Line numbers matter: the throw is on line 7. */
  private static final String LEVELS_MODULE = """
      export default {
        async fetch(request) {
          console.log("a log line", 1);
          console.warn("a %s warning", "formatted", { x: 1 });
          console.error("an error");
          if (new URL(request.url).pathname === "/throw") {
            throw new Error("thrown on line 7");
          }
          return new Response("ok");
        }
      };
      """;

  @TempDir
  Path dataDir;

  WorkerdProvider provider;

  @BeforeEach
  void open() {
    provider = TestWorkerd.builder(dataDir).build();
  }

  @AfterEach
  void close() {
    provider.close();
  }

  private String call(FunctionSpec spec, String path) throws Exception {
    HttpResponse<String> response = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), path);
    assertThat(response.statusCode()).as("status of %s%s: %s", spec.ref(), path, response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void aServiceWorkerSeesEnvVarsAsGlobals() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("greeter").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('hello ' + WHO)));")
        .env("WHO", "world").build();

    provider.deploy(spec);

    assertThat(call(spec, "/")).as("service worker response").isEqualTo("hello world");
  }

  @Test
  void aModuleSeesEnvVarsOnEnv() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("greeter").version("v1")
        .code("export default {\n  async fetch(request, env) {\n"
            + "    return new Response(new URL(request.url).pathname + ' ' + env.WHO + ' ' + typeof WHO);\n  }\n};\n")
        .env("WHO", "world").build();

    provider.deploy(spec);

    assertThat(call(spec, "/a/b")).as("module response: env on env, not global").isEqualTo("/a/b world undefined");
  }

  @Test
  void aModuleIsDetectedBehindAByteOrderMarkAndWhenMinified() throws Exception {
    FunctionSpec bom = FunctionSpec.builder("bom").version("v1")
        .code("\uFEFFexport default { fetch(request, env) { return new Response('bom ' + env.WHO) } }")
        .env("WHO", "module").build();
    FunctionSpec minified = FunctionSpec.builder("minified").version("v1")
        .code("const p='min ';export default{fetch(r,env){return new Response(p+env.WHO)}}")
        .env("WHO", "module").build();

    provider.deploy(bom);
    provider.deploy(minified);

    assertThat(call(bom, "/")).as("a module starting with a byte-order mark").isEqualTo("bom module");
    assertThat(call(minified, "/")).as("a module whose export is not at a line start").isEqualTo("min module");
  }

  @Test
  void aVersionsCodeAndEnvValuesAreReadableByTheOwnerOnly() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("secretive").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response(TOKEN)));")
        .env("TOKEN", "s3cret").build();

    provider.deploy(spec);

    assertThat(call(spec, "/")).isEqualTo("s3cret");
    Path functionDir = dataDir.resolve("secretive");
    List<String> modes = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(functionDir)) {
      for (Path path : paths.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        String expected = Files.isDirectory(path) ? "rwx------" : "rw-------";
        if (!mode.equals(expected) && !path.getFileName().toString().equals(DataDir.PID_FILE)) {
          modes.add(dataDir.relativize(path) + " " + mode);
        }
      }
    }
    assertThat(modes).as("files and directories of the version others may read").isEmpty();
  }

  @Test
  void theFormatOptionOverridesDetection() throws Exception {
    // detection would take this service worker for a module; the option says what it is
    FunctionSpec spec = FunctionSpec.builder("tricky").version("v1")
        .code("const pattern = /;export default {}/;\n"
            + "addEventListener('fetch', e => e.respondWith(new Response('sw')));")
        .option("format", "service-worker").build();

    provider.deploy(spec);

    assertThat(call(spec, "/")).as("forced service-worker format").isEqualTo("sw");
  }

  @Test
  void anUnknownOptionIsRefusedAtDeploy() {
    FunctionSpec spec = FunctionSpec.builder("opt").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('x')));")
        .option("memory", "128").build();

    assertThatThrownBy(() -> provider.deploy(spec))
        .as("unknown option")
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST);
          assertThat(e.getMessage()).contains("memory").contains("format");
        });
    assertThat(dataDir.resolve("opt")).as("nothing written for a refused spec").doesNotExist();
  }

  @Test
  void anUnknownFormatIsRefusedAtDeploy() {
    FunctionSpec spec = FunctionSpec.builder("opt").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('x')));")
        .option("format", "python").build();

    assertThatThrownBy(() -> provider.deploy(spec))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }

  @Test
  void hostileEnvValuesArriveByteForByte() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUOTES", "\"double\" and 'single' and `back`");
    env.put("NEWLINES", "line1\nline2\r\nline3\n");
    env.put("CLOSERS", "\") ; ] ) , evil = \"x\"");
    env.put("HASH", "# not a comment");
    env.put("EMBED", "embed \"config.capnp\"");
    env.put("CAPNP", "\"),\n  (name = \"INJECTED\", text = \"yes\"),\n  (name = \"X\", text = \"");
    env.put("UNICODE", "ünïcödé 😀 中文 \u2028 \t tab");
    env.put("BACKSLASH", "C:\\path\\x41\\n\\");
    env.put("EMPTY", "");
    env.put("BIG", "x".repeat(64 * 1024 - 7) + "\"end\")");
    FunctionSpec spec = FunctionSpec.builder("env").version("v1")
        .code("export default { fetch(request, env) {\n"
            + "  const key = new URL(request.url).searchParams.get('k');\n"
            + "  return new Response(key in env ? env[key] : 'MISSING:' + key);\n} };\n")
        .env(env).build();

    provider.deploy(spec);

    for (Map.Entry<String, String> e : env.entrySet()) {
      assertThat(call(spec, "/?k=" + e.getKey())).as("value of %s", e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(call(spec, "/?k=INJECTED")).as("no binding injected by a value").isEqualTo("MISSING:INJECTED");
  }

  @Test
  void hostileEnvValuesReachAServiceWorkerToo() throws Exception {
    String hostile = "\")\n# \\\" embed \"x\" ünï 😀";
    FunctionSpec spec = FunctionSpec.builder("env").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response(VALUE)));")
        .env("VALUE", hostile).build();

    provider.deploy(spec);

    assertThat(call(spec, "/")).as("service worker global").isEqualTo(hostile);
  }

  @Test
  void logsKeepTheFunctionsConsoleOutput() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("chatty").version("v1")
        .code("addEventListener('fetch', e => { console.log('handling ' + new URL(e.request.url).pathname);"
            + " e.respondWith(new Response('ok')); });")
        .build();
    provider.deploy(spec);

    call(spec, "/marker-path");

    FunctionLogs logs = provider.capability(FunctionLogs.class).orElseThrow();
    assertThat(Processes.await(java.time.Duration.ofSeconds(10),
        () -> logs.logs(spec.ref(), 50).stream().anyMatch(l -> l.contains("handling /marker-path"))))
        .as("console line in logs: %s", logs.logs(spec.ref(), 50)).isTrue();
  }

  @Test
  void aFunctionCannotForgeTheReadinessMessage() throws Exception {
    // Its console output goes to the log pipe, never to the control pipe the port is read from.
    FunctionSpec spec = FunctionSpec.builder("forger").version("v1")
        .code("console.log('{\"event\":\"listen\",\"socket\":\"http\",\"port\":1}');\n"
            + "addEventListener('fetch', e => e.respondWith(new Response('real')));")
        .build();

    provider.deploy(spec);

    assertThat(call(spec, "/")).as("answer on the port workerd itself reported").isEqualTo("real");
  }

  @Test
  void logsOfAnUnknownVersionAreEmpty() {
    assertThat(provider.logs(new dev.faas4j.api.FunctionRef("nobody", "v1"), 10)).as("logs").isEmpty();
  }

  @Test
  void undeployRemovesTheVersionDirectory() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("gone").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('x')));").build();
    provider.deploy(spec);
    assertThat(dataDir.resolve("gone").resolve("v1")).as("version dir while deployed").isDirectory();

    provider.undeploy(spec.ref());

    assertThat(Files.exists(dataDir.resolve("gone"))).as("function dir after undeploy").isFalse();
  }

  @Test
  void redeployingAVersionWithOtherCodeIsAConflict() throws Exception {
    FunctionSpec v1 = FunctionSpec.builder("fixed").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('one')));").build();
    provider.deploy(v1);

    FunctionSpec changed = FunctionSpec.builder("fixed").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('two')));").build();

    assertThatThrownBy(() -> provider.deploy(changed))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.CONFLICT));
    assertThat(call(v1, "/")).as("the deployed version is untouched").isEqualTo("one");
  }

  @Test
  void aNonJsRuntimeIsRefused() {
    FunctionSpec spec = FunctionSpec.builder("img").version("v1").runtime("docker").image("nginx").build();

    assertThatThrownBy(() -> provider.deploy(spec))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }

  private List<String> awaitLines(FunctionSpec spec, String last) throws Exception {
    FunctionLogs logs = provider.capability(FunctionLogs.class).orElseThrow();
    assertThat(Processes.await(Duration.ofSeconds(10),
        () -> logs.lines(spec.ref(), 50).stream().anyMatch(line -> line.text().contains(last))))
        .as("'%s' in the logs: %s", last, logs.lines(spec.ref(), 50)).isTrue();
    return logs.lines(spec.ref(), 50).stream().map(line -> line.level() + " " + line.stream() + " " + line.text())
        .toList();
  }

  /**
   * workerd prints every console level alike; the provider's console module marks a module's warn and
   * error lines, and the log reader turns the mark into the level.
   */
  @Test
  void aModulesWarnAndErrorAreLoggedAtTheirLevelsWithoutTheMarker() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("levels").version("v1").code(LEVELS_MODULE).build();
    provider.deploy(spec);

    HttpResponse<String> answer = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/");
    assertThat(answer.body()).isEqualTo("ok");

    assertThat(awaitLines(spec, "an error")).containsSubsequence(
        "INFO out a log line 1", "WARN err a formatted warning { x: 1 }", "ERROR err an error");
  }

  /** A service-worker script's console lines keep their levels too (workerd's structured log has them). */
  @Test
  void aServiceWorkersWarnAndErrorAreLoggedAtTheirLevels() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("swlevels").version("v1")
        .code("addEventListener('fetch', e => {\n"
            + "  console.log('a log line', 1);\n"
            + "  console.warn('a %s warning', 'formatted', { x: 1 });\n"
            + "  console.error('an error\\nover two lines');\n"
            + "  if (new URL(e.request.url).pathname === '/throw') throw new Error('thrown on line 5');\n"
            + "  e.respondWith(new Response('ok'));\n"
            + "});\n")
        .build();
    provider.deploy(spec);

    assertThat(call(spec, "/")).isEqualTo("ok");
    assertThat(awaitLines(spec, "over two lines")).containsSubsequence(
        "INFO out a log line 1", "WARN err a formatted warning { x: 1 }", "ERROR err an error",
        "ERROR err over two lines");

    HttpResponse<String> thrown = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/throw");
    assertThat(thrown.statusCode()).isEqualTo(500);
    List<String> lines = awaitLines(spec, "thrown on line 5");
    assertThat(lines).as("the uncaught exception, without workerd's internals")
        .anyMatch(line -> line.startsWith("ERROR err Uncaught") && line.contains("Error: thrown on line 5"))
        .noneMatch(line -> line.contains("workerd@") || line.contains(".c++:"));
  }

  /** The module behind faas4j's two changes no line number of the function's own. */
  @Test
  void anUncaughtExceptionInAModulePointsAtTheFunctionsOwnLine() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("thrower").version("v1").code(LEVELS_MODULE).build();
    provider.deploy(spec);

    HttpResponse<String> answer = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(), "/throw");
    assertThat(answer.statusCode()).isEqualTo(500);

    List<String> lines = awaitLines(spec, "(worker.js:");
    assertThat(lines).anyMatch(line -> line.startsWith("ERROR err Uncaught") && line.contains("thrown on line 7"));
    assertThat(lines).as("the stack names worker.js, line 7, as the author wrote it")
        .anyMatch(line -> line.startsWith("ERROR err ") && line.contains("at Object.fetch (worker.js:7:"));
  }
}
