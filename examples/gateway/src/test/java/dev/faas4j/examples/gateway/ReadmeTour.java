package dev.faas4j.examples.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tour in README.md, as data: every command of its {@code sh} blocks with the output the
 * README promises. A command is one line; the {@code # } lines right after it are its expected
 * output, where {@code ...} stands for anything.
 */
final class ReadmeTour {

  record Step(String command, String expected) {

    /** Whether {@code output} matches the expectation (always, when there is none). */
    boolean matches(String output) {
      if (expected == null) {
        return true;
      }
      String actual = output.strip();
      String[] parts = expected.split("\\.\\.\\.", -1);
      if (parts.length == 1) {
        return actual.equals(expected);
      }
      if (!actual.startsWith(parts[0]) || !actual.endsWith(parts[parts.length - 1])) {
        return false;
      }
      int at = parts[0].length();
      for (int i = 1; i < parts.length - 1; i++) {
        int found = actual.indexOf(parts[i], at);
        if (found < 0) {
          return false;
        }
        at = found + parts[i].length();
      }
      return at <= actual.length() - parts[parts.length - 1].length();
    }
  }

  private ReadmeTour() {}

  static List<Step> read(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme);
    int start = lines.indexOf("## A 30-second tour");
    if (start < 0) {
      throw new IllegalStateException("README.md has no '## A 30-second tour' section");
    }
    List<Step> steps = new ArrayList<>();
    boolean inBlock = false;
    String command = null;
    StringBuilder expected = null;
    for (String line : lines.subList(start, lines.size())) {
      if (line.startsWith("## ") && !line.equals("## A 30-second tour")) {
        break;
      }
      if (!inBlock) {
        inBlock = line.equals("```sh");
        continue;
      }
      if (line.equals("```") || !line.startsWith("#")) {
        if (command != null) {
          steps.add(new Step(command, expected == null ? null : expected.toString()));
        }
        command = null;
        expected = null;
        if (line.equals("```")) {
          inBlock = false;
        } else {
          command = line;
        }
      } else {
        String text = line.substring(Math.min(2, line.length()));
        expected = expected == null ? new StringBuilder(text) : expected.append('\n').append(text);
      }
    }
    return steps;
  }
}
