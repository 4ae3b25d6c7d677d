package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.LogLine.Level;
import org.junit.jupiter.api.Test;

/** Lines as workerd 1.20261117.1 prints them (captured from a real run), read back to what was logged. */
class ConsoleMarksTest {

  private static final String WRAPPER = "workerd/io/worker.c++:2171: info: console.log(); message() = ";

  @Test
  void aServiceWorkerScriptsLineIsUnwrappedToWhatItLogged() {
    assertThat(ConsoleMarks.read(WRAPPER + "[\"served /greet by v1\"]"))
        .isEqualTo(new ConsoleMarks.Marked(Level.INFO, "served /greet by v1"));
  }

  @Test
  void severalArgumentsAreJoinedAsConsoleLogJoinsThem() {
    assertThat(ConsoleMarks.read(WRAPPER + "[\"a \\\"q\\\" \\\\ \\u00e9\\ttab\", 42, {\"x\":1, \"s\":\"c, d\"}, \"b\"]").text())
        .isEqualTo("a \"q\" \\ \u00e9\ttab 42 {\"x\":1, \"s\":\"c, d\"} b");
    assertThat(ConsoleMarks.read(WRAPPER + "[\"\"]").text()).isEmpty();
  }

  @Test
  void textThatIsNotTheWrapperOrNotItsJsonStaysAsItIs() {
    String stack = "Error: boom\n    at worker.js:7:11";
    assertThat(ConsoleMarks.read(stack).text()).isEqualTo(stack);
    assertThat(ConsoleMarks.read(WRAPPER + "[\"unterminated]").text()).isEqualTo("\"unterminated");
    assertThat(ConsoleMarks.read("plain text from a module function").text()).isEqualTo("plain text from a module function");
  }

  @Test
  void aModuleFunctionsMarkedLinesGetTheirLevel() {
    assertThat(ConsoleMarks.read("\u001ffaas4j:error\u001f disk full"))
        .isEqualTo(new ConsoleMarks.Marked(Level.ERROR, "disk full"));
    assertThat(ConsoleMarks.read("\u001ffaas4j:warn\u001f slow").level()).isEqualTo(Level.WARN);
  }
}
