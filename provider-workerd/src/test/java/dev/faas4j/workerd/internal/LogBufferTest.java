package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.LogLine;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogBufferTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void linesCarryTheirTimeVersionAndStream() {
    LogBuffer buffer = new LogBuffer(10, "v1", clock);
    buffer.add("hello");
    buffer.add("Uncaught Error: boom");

    assertThat(buffer.lines(10)).containsExactly(
        new LogLine(clock.instant(), "v1", "out", "hello"),
        new LogLine(clock.instant(), "v1", "err", "Uncaught Error: boom"));
    assertThat(buffer.last(1)).containsExactly("Uncaught Error: boom");
  }

  @Test
  void theOldestLinesGoWhenFull() {
    LogBuffer buffer = new LogBuffer(2, "v1", clock);
    buffer.add("a");
    buffer.add("b");
    buffer.add("c");

    assertThat(buffer.last(10)).containsExactly("b", "c");
  }

  @Test
  void aFollowerGetsNewLinesUntilItStops() throws Exception {
    LogBuffer buffer = new LogBuffer(0, "v1", clock);
    List<String> seen = new ArrayList<>();
    AutoCloseable following = buffer.follow(line -> seen.add(line.text()));
    buffer.add("while following");
    following.close();
    buffer.add("after");

    assertThat(seen).containsExactly("while following");
    assertThat(buffer.followers()).isZero();
    assertThat(buffer.lines(10)).as("capacity 0 keeps nothing, but followers still see lines").isEmpty();
  }

  @Test
  void theStackAfterAnErrorIsPartOfIt() {
    LogBuffer buffer = new LogBuffer(10, "v1", clock);
    buffer.add("Uncaught (in promise): Error: boom");
    buffer.add("    at Object.fetch (worker.js:1:150)");
    buffer.add("next request");

    assertThat(buffer.lines(10)).extracting(LogLine::stream).containsExactly("err", "err", "out");
  }

  @Test
  void markedWarningsAndErrorsGetTheirLevelAndLoseTheMarker() {
    LogBuffer buffer = new LogBuffer(10, "v1", clock);
    buffer.add("plain");
    buffer.add("\u001ffaas4j:warn\u001f careful { x: 1 }");
    buffer.add("\u001ffaas4j:error\u001f Error: failed");
    buffer.add("    at handle (worker.js:3:9)");
    buffer.add("\u001ffaas4j:warn\u001f");
    buffer.add("back to normal");

    assertThat(buffer.lines(10)).extracting(line -> line.stream() + " " + line.level() + " [" + line.text() + "]")
        .containsExactly("out INFO [plain]", "err WARN [careful { x: 1 }]", "err ERROR [Error: failed]",
            "err ERROR [    at handle (worker.js:3:9)]", "err WARN []", "out INFO [back to normal]");
    assertThat(ConsoleMarks.read("faas4j:warn not a marker without its separators").level())
        .isEqualTo(LogLine.Level.INFO);
  }

  @Test
  void workerdsReportOfAnUncaughtExceptionReadsAsTheJavaScriptError() {
    assertThat(WorkerdOutput.clean("workerd/io/worker.c++:3042: info: uncaught exception; source = Uncaught (in"
        + " promise); stack = Error: broken")).isEqualTo("Uncaught (in promise): Error: broken");
    assertThat(WorkerdOutput.clean("workerd/io/io-context.c++:656: info: uncaught exception; exception ="
        + " workerd/jsg/value.h:1456: failed: jsg.Error: broken")).isNull();
    assertThat(WorkerdOutput.clean("stack: /x/bin/workerd@3f68b70 /x/bin/workerd@3f69955")).isNull();
    assertThat(WorkerdOutput.clean("workerd/server/server/listen/mod.rs:372: error: Uncaught exception:"
        + " workerd/jsg/value.h:1456: failed: remote.jsg.Error: broken")).isNull();
    assertThat(WorkerdOutput.clean("    at Object.fetch (worker.js:1:150)")).isEqualTo("    at Object.fetch (worker.js:1:150)");
    assertThat(WorkerdOutput.clean("serving 42")).isEqualTo("serving 42");
  }
}
