package dev.faas4j.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One line a version's instance wrote.
 *
 * @param time when the provider read it
 * @param version the version whose instance wrote it
 * @param stream {@code "out"} for ordinary output, {@code "err"} for errors and warnings (uncaught
 *     exceptions, {@code console.error}, {@code console.warn}); a provider that cannot tell them
 *     apart says {@code "out"}
 * @param level how serious the line is; a provider that cannot tell says {@link Level#INFO} for
 *     {@code "out"} and {@link Level#ERROR} for {@code "err"}
 * @param text the line, without its line break
 */
public record LogLine(Instant time, String version, String stream, Level level, String text) {

  /** How serious a line is: {@code console.log}/{@code info}, {@code console.warn}, {@code console.error}. */
  public enum Level {
    /** Ordinary output. */
    INFO,
    /** A warning ({@code console.warn}). */
    WARN,
    /** An error ({@code console.error}, an uncaught exception and its stack). */
    ERROR
  }

  public LogLine {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(text, "text");
  }

  /** A line whose level follows from its stream: ERROR for {@code "err"}, else INFO. */
  public LogLine(Instant time, String version, String stream, String text) {
    this(time, version, stream, "err".equals(stream) ? Level.ERROR : Level.INFO, text);
  }

  /** {@code time version stream text}: the line as the admin API prints it. */
  @Override
  public String toString() {
    return time + " " + version + " " + stream + " " + text;
  }
}
