package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.workerd.internal.CapnpText;
import dev.faas4j.workerd.internal.StartFailure;
import dev.faas4j.workerd.internal.WorkerdProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@link CapnpText#quote} against the real parser: a value written as a quoted literal in a
 * config reaches the worker unchanged. (Env values travel through {@code embed}; quoting covers
 * every other string the provider writes into a config.)
 */
class CapnpTextTest {

  @TempDir
  Path dir;

  @Test
  void aQuotedLiteralIsPrintableAsciiOnOneLine() {
    String quoted = CapnpText.quote("a\"b\\c\nd\u00e9\u0001");

    assertThat(quoted).as("quoted").isEqualTo("\"a\\\"b\\\\c\\nd\\xc3\\xa9\\x01\"");
  }

  @Test
  void hostileValuesSurviveTheRealParserByteForByte() throws Exception {
    List<String> values = List.of(
        "plain", "\"", "\\", "\")", "\"), (name = \"INJECTED\", text = \"x\")", "# comment",
        "embed \"config.capnp\"", "line\nbreak\r\n", "ünïcödé 😀 中文", "\\x41\\n", "tab\tend", "");
    StringBuilder bindings = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      bindings.append("(name = \"V").append(i).append("\", text = ").append(CapnpText.quote(values.get(i))).append("),");
    }
    Files.writeString(dir.resolve("worker.js"), "export default { fetch(request, env) {\n"
        + "  const k = new URL(request.url).searchParams.get('k');\n"
        + "  return new Response(k in env ? env[k] : 'MISSING');\n} };\n");
    Path config = dir.resolve("config.capnp");
    Files.writeString(config, "using Workerd = import \"/workerd/workerd.capnp\";\n"
        + "const config :Workerd.Config = (services = [(name = \"main\", worker = .w)],\n"
        + "  sockets = [(name = \"http\", address = \"127.0.0.1:0\", http = (), service = \"main\")]);\n"
        + "const w :Workerd.Worker = (modules = [(name = \"worker.js\", esModule = embed \"worker.js\")],\n"
        + "  compatibilityDate = \"2025-09-01\", bindings = [" + bindings + "]);\n");

    WorkerdProcess process = start(config);
    try {
      for (int i = 0; i < values.size(); i++) {
        assertThat(TestWorkerd.get(process.endpoint(), "/?k=V" + i).body()).as("value %d", i).isEqualTo(values.get(i));
      }
      assertThat(TestWorkerd.get(process.endpoint(), "/?k=INJECTED").body()).as("injected binding").isEqualTo("MISSING");
    } finally {
      process.stop(Duration.ofSeconds(3));
    }
  }

  private static WorkerdProcess start(Path config) throws Exception {
    try {
      return WorkerdProcess.start(TestWorkerd.binary(), config, false, config.resolveSibling("workerd.pid"),
          Duration.ofSeconds(10), "capnp-test", LoggerFactory.getLogger(CapnpTextTest.class), line -> { });
    } catch (StartFailure e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
