package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium}, driven by npm's
 * {@code playwright-core}) against the real gateway jar with real workerd: {@code
 * src/test/console/console-test.mjs} signs in (with a wrong token first, then with the keyboard
 * alone), deploys through the editor, lists, invokes, follows the logs, deploys v2 and rolls back,
 * shows a refusal where it happened, moves an alias and deletes a version after a confirmation. It
 * checks every page at 1280x800 for horizontal overflow and unnamed controls and leaves a
 * screenshot of each in {@code target/console-screenshots/}.
 *
 * <p>Under {@code CI=true} a missing node, chromium or playwright-core fails the test; elsewhere it
 * is skipped with the reason.
 */
class ConsoleIT extends GatewayTestSupport {

  private static final String TOKEN = "console-s3cret";

  @Test
  void theConsoleDrivesTheGatewayInARealBrowser() throws Exception {
    Path node = require(onPath("node"), "node is not on the PATH: install Node.js (apt-get install nodejs; .ci/run"
        + " installs npm, which brings it)");
    Path chromium = require(onPath("chromium"), "chromium is not on the PATH: apt-get install chromium (.ci/run does)");
    Path playwright = Path.of(System.getProperty("faas4j.playwright.dir", "target/playwright"));
    require(Files.isDirectory(playwright.resolve("node_modules/playwright-core")) ? playwright : null,
        "playwright-core is not installed in " + playwright + ": the build installs it with npm before the"
        + " integration tests (src/build/fetch-playwright.sh); run `mvn verify` with npm on the PATH");
    Path screenshots = Path.of(System.getProperty("faas4j.console.screenshots", "target/console-screenshots"));
    deleteTree(screenshots);

    GatewayProcess gateway = start("--admin-token", TOKEN);
    ProcessBuilder builder = new ProcessBuilder(node.toString(), System.getProperty("faas4j.console.script"))
        .redirectErrorStream(true);
    builder.environment().put("GATEWAY_URL", "http://127.0.0.1:" + gateway.port());
    builder.environment().put("ADMIN_TOKEN", TOKEN);
    builder.environment().put("CHROMIUM", chromium.toString());
    builder.environment().put("PLAYWRIGHT_DIR", playwright.toAbsolutePath().toString());
    builder.environment().put("SCREENSHOTS", screenshots.toAbsolutePath().toString());
    Process script = builder.start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(output lost: " + e + ")";
      }
    });
    int exit;
    try {
      if (!script.waitFor(5, TimeUnit.MINUTES)) {
        throw new AssertionError("the browser scenarios did not end in 5 minutes; so far:\n" + output.getNow(""));
      }
      exit = script.exitValue();
    } finally {
      // the script's Chromium, if the script did not close it
      script.descendants().forEach(ProcessHandle::destroyForcibly);
      script.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String printed = output.get(10, TimeUnit.SECONDS);
    System.out.println(printed);
    assertThat(exit).as("exit code of the browser scenarios; they printed:%n%s", printed).isZero();

    // What the console did is real: the gateway serves it to a client that never saw the console.
    HttpResponse<String> bare = gateway.get("hello.func.local");
    assertThat(bare.body()).as("the bare host after the console rolled back to v1").isEqualTo("hello from v1");
    assertThat(gateway.get("v2.hello.func.local").statusCode()).as("v2, deleted in the console").isEqualTo(404);
    try (Stream<Path> files = Files.list(screenshots)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).as("screenshots in " + screenshots).hasSizeGreaterThanOrEqualTo(10)
          .contains("01-sign-in.png", "05-functions.png", "08-versions-and-code.png").doesNotContain("failure.png");
    }
  }

  private static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** {@code found}, or a failure under CI=true and a skip elsewhere. */
  private static Path require(Path found, String message) {
    if (found != null) {
      return found;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    org.junit.jupiter.api.Assumptions.abort(message);
    return null;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
