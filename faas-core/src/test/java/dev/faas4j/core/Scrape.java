package dev.faas4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The samples of a Prometheus text exposition, found by metric name and labels: what a Prometheus
 * server would see, so tests check the scraped names rather than the names in code.
 */
record Scrape(String text) {

  /** The value of the one sample named {@code name} that has every {@code label="value"} given. */
  OptionalDouble value(String name, String... labels) {
    List<String> found = samples(name, labels);
    if (found.size() > 1) {
      throw new AssertionError("more than one sample of " + name + Arrays.toString(labels) + ": " + found);
    }
    return found.isEmpty() ? OptionalDouble.empty()
        : OptionalDouble.of(Double.parseDouble(found.get(0).substring(found.get(0).lastIndexOf(' ') + 1)));
  }

  /** Every sample line named {@code name} that has every {@code label="value"} given. */
  List<String> samples(String name, String... labels) {
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
        continue;
      }
      if (Arrays.stream(labels).allMatch(label -> line.contains(quoted(label)))) {
        found.add(line);
      }
    }
    return found;
  }

  /** Whether any sample names {@code label="value"}. */
  boolean mentions(String label) {
    return text.lines().anyMatch(line -> !line.startsWith("#") && line.contains(quoted(label)));
  }

  private static String quoted(String label) {
    int eq = label.indexOf('=');
    return label.substring(0, eq) + "=\"" + label.substring(eq + 1) + "\"";
  }
}
