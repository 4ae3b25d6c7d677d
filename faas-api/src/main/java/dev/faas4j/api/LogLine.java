package dev.faas4j.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One line a version's instance wrote.
 *
 * @param time when the provider read it
 * @param version the version whose instance wrote it
 * @param stream {@code "out"} for ordinary output, {@code "err"} for errors (uncaught exceptions,
 *     {@code console.error}); a provider that cannot tell them apart says {@code "out"}
 * @param text the line, without its line break
 */
public record LogLine(Instant time, String version, String stream, String text) {

  public LogLine {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(text, "text");
  }

  /** {@code time version stream text}: the line as the admin API prints it. */
  @Override
  public String toString() {
    return time + " " + version + " " + stream + " " + text;
  }
}
