package dev.faas4j.workerd.internal;

import dev.faas4j.api.LogLine;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The last {@code capacity} lines of some output, with the time each was read, and the listeners
 * that follow new lines. Thread-safe.
 */
public final class LogBuffer {

  private final int capacity;
  private final String version;
  private final Clock clock;
  private final ArrayDeque<LogLine> lines;
  private final List<Consumer<LogLine>> listeners = new CopyOnWriteArrayList<>();
  /** The last line's level, which the stack frames after it share; null after an ordinary line. */
  private LogLine.Level continued;

  /** A buffer of lines of no particular version (workerd's own output at start-up). */
  public LogBuffer(int capacity) {
    this(capacity, "", Clock.systemUTC());
  }

  /** A buffer of the output of {@code version}'s instances, stamped by {@code clock}. */
  public LogBuffer(int capacity, String version, Clock clock) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
    this.version = version;
    this.clock = clock;
    this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  /** Whether workerd's line reports an error (an uncaught exception, a failed start). */
  public static boolean isError(String line) {
    return line.contains(" error: ") || line.startsWith("Error") || line.contains("Uncaught");
  }

  /**
   * The level of a line: as {@link ConsoleMarks} reads it, ERROR for workerd's report of an error,
   * and for a stack frame ({@code at ...}) that of the line before it.
   */
  private LogLine.Level level(ConsoleMarks.Marked marked) {
    if (marked.level() != LogLine.Level.INFO) {
      return marked.level();
    }
    if (isError(marked.text())) {
      return LogLine.Level.ERROR;
    }
    return continued != null && marked.text().stripLeading().startsWith("at ") ? continued : LogLine.Level.INFO;
  }

  /**
   * Adds a line, dropping the oldest when full, and hands it to every listener. A line marked by
   * {@link ConsoleMarks} loses its marker and gets its level; warnings and errors are stream {@code err}.
   */
  public void add(String raw) {
    LogLine line;
    synchronized (this) {
      ConsoleMarks.Marked marked = ConsoleMarks.read(raw);
      LogLine.Level level = level(marked);
      continued = level == LogLine.Level.INFO ? null : level;
      line = new LogLine(clock.instant(), version, level == LogLine.Level.INFO ? "out" : "err", level, marked.text());
      if (capacity > 0) {
        if (lines.size() == capacity) {
          lines.removeFirst();
        }
        lines.addLast(line);
      }
    }
    for (Consumer<LogLine> listener : listeners) {
      listener.accept(line);
    }
  }

  /** At most {@code max} of the newest lines' text, oldest first. */
  public List<String> last(int max) {
    return lines(max).stream().map(LogLine::text).toList();
  }

  /** At most {@code max} of the newest lines, oldest first. */
  public synchronized List<LogLine> lines(int max) {
    int skip = Math.max(0, lines.size() - Math.max(0, max));
    List<LogLine> out = new ArrayList<>(lines.size() - skip);
    int i = 0;
    for (LogLine line : lines) {
      if (i++ >= skip) {
        out.add(line);
      }
    }
    return out;
  }

  /** Calls {@code listener} with every line added from now on, until the returned handle is closed. */
  public AutoCloseable follow(Consumer<LogLine> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** How many listeners follow this buffer; for tests that check none is left behind. */
  public int followers() {
    return listeners.size();
  }
}
