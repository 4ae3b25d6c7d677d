package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.LogLine.Level;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** workerd's structured log lines, as workerd 1.20261117.1 wrote them, read back as plain lines with levels. */
class StructuredLinesTest {

  private static List<ConsoleMarks.Marked> read(String raw) {
    return StructuredLines.expand(raw).stream().map(ConsoleMarks::read).toList();
  }

  @Test
  void consoleLinesKeepTheirLevel() {
    assertThat(read("{\"timestamp\":1796241833782,\"level\":\"log\",\"message\":\"plain log 1 { a: 2 }\"}"))
        .containsExactly(new ConsoleMarks.Marked(Level.INFO, "plain log 1 { a: 2 }"));
    assertThat(read("{\"timestamp\":1796241833783,\"level\":\"info\",\"message\":\"an info\"}"))
        .containsExactly(new ConsoleMarks.Marked(Level.INFO, "an info"));
    assertThat(read("{\"timestamp\":1796241833783,\"level\":\"error\",\"message\":\"an error\"}"))
        .containsExactly(new ConsoleMarks.Marked(Level.ERROR, "an error"));
  }

  @Test
  void everyLineOfAMessageHasItsLevel() {
    assertThat(read("{\"timestamp\":1796241833783,\"level\":\"warn\",\"message\":\"a warning\\nsecond line\"}"))
        .containsExactly(new ConsoleMarks.Marked(Level.WARN, "a warning"),
            new ConsoleMarks.Marked(Level.WARN, "second line"));
    assertThat(read("{\"timestamp\":1796241915682,\"level\":\"error\","
        + "\"message\":\"Error: m err\\n    at Object.fetch (worker.js:1:89)\"}"))
        .containsExactly(new ConsoleMarks.Marked(Level.ERROR, "Error: m err"),
            new ConsoleMarks.Marked(Level.ERROR, "    at Object.fetch (worker.js:1:89)"));
  }

  @Test
  void aLineTheConsoleModuleMarkedAlreadyIsNotMarkedTwice() {
    String marked = "\\u001ffaas4j:warn\\u001f careful";
    assertThat(read("{\"timestamp\":1,\"level\":\"warn\",\"message\":\"" + marked + "\"}"))
        .containsExactly(new ConsoleMarks.Marked(Level.WARN, "careful"));
  }

  @Test
  void workerdsOwnReportReadsAsWithoutStructuredLogging() {
    List<String> lines = StructuredLines.expand("{\"timestamp\":\"1796241833806\",\"level\":\"info\","
        + "\"source\":\"workerd/io/worker.c++:3042\",\"message\":\"uncaught exception; source = Uncaught;"
        + " stack = Error: boom\\n    at main:6:59\",\"context_depth\":0}");

    assertThat(lines).containsExactly(
        "workerd/io/worker.c++:3042: info: uncaught exception; source = Uncaught; stack = Error: boom",
        "    at main:6:59");
    assertThat(WorkerdOutput.clean(lines.get(0))).isEqualTo("Uncaught: Error: boom");
    assertThat(WorkerdOutput.clean(StructuredLines.expand("{\"timestamp\":\"1796241833807\",\"level\":\"error\","
        + "\"source\":\"workerd/server/server/listen/mod.rs:372\",\"message\":\"Uncaught exception:"
        + " workerd/jsg/value.h:1456: failed: remote.jsg.Error: boom\",\"context_depth\":0}").get(0)))
        .as("workerd's repeat of the same report is dropped").isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain text", "{not json}", "{\"level\":\"warn\"}", "{\"message\":\"no level\"}",
      "{\"level\":\"warn\",\"message\":{\"nested\":1}}", "{\"level\":\"warn\",\"message\":\"unterminated}",
      "{\"level\":\"warn\",\"message\":\"x\"} trailing", "faas4j: cannot join cgroup /sys/fs/cgroup/x"})
  void anythingElseIsKeptAsItIs(String raw) {
    assertThat(StructuredLines.expand(raw)).containsExactly(raw);
  }
}
