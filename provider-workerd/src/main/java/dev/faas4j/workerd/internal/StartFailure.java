package dev.faas4j.workerd.internal;

import java.util.List;

/**
 * A workerd process that did not become ready: it exited first ({@link #exitCode} set) or did
 * not report a listening socket in time.
 */
public final class StartFailure extends Exception {

  private static final long serialVersionUID = 1L;

  private final Integer exitCode;
  private final transient List<String> lastLines;

  StartFailure(String message, Integer exitCode, List<String> lastLines) {
    super(message);
    this.exitCode = exitCode;
    this.lastLines = List.copyOf(lastLines);
  }

  /** Whether the process exited on its own before it was ready (bad code or config). */
  public boolean exited() {
    return exitCode != null;
  }

  /** The exit code, or null if the process did not exit on its own. */
  public Integer exitCode() {
    return exitCode;
  }

  /** The last lines the process wrote. */
  public List<String> lastLines() {
    return lastLines;
  }
}
