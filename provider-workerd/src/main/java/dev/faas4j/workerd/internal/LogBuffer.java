package dev.faas4j.workerd.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} lines of some output. Thread-safe. */
public final class LogBuffer {

  private final int capacity;
  private final ArrayDeque<String> lines;

  public LogBuffer(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  /** Adds a line, dropping the oldest when full. */
  public synchronized void add(String line) {
    if (capacity == 0) {
      return;
    }
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  /** At most {@code max} of the newest lines, oldest first. */
  public synchronized List<String> last(int max) {
    int skip = Math.max(0, lines.size() - Math.max(0, max));
    List<String> out = new ArrayList<>(lines.size() - skip);
    int i = 0;
    for (String line : lines) {
      if (i++ >= skip) {
        out.add(line);
      }
    }
    return out;
  }
}
