package dev.faas4j.workerd.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns workerd's report of a function's uncaught exception into the JavaScript error and its stack:
 * workerd writes it several times, wrapped in its own source locations and its binary's stack
 * addresses, which say nothing to the function's author.
 *
 * <p>Stateless; thread-safe.
 */
public final class WorkerdOutput {

  /** {@code workerd/io/worker.c++:N: info: uncaught exception; source = …; stack = Error: …}: kept, unwrapped. */
  private static final Pattern UNCAUGHT = Pattern.compile(
      "^workerd/io/worker\\.c\\+\\+:\\d+: info: uncaught exception; source = ([^;]*); stack = (.*)$");
  /** workerd's copies of the same report, and its native stack: dropped. */
  private static final Pattern REPEATS = Pattern.compile(
      "^(workerd/io/io-context\\.c\\+\\+:\\d+: info: uncaught exception; .*"
          + "|stack: (\\S*workerd@[0-9a-f]+ ?)+"
          + "|workerd/server/server/listen/mod\\.rs:\\d+: error: Uncaught exception: .*)$");

  private WorkerdOutput() {}

  /** The line a function's author should read, or null when it only repeats workerd's internals. */
  public static String clean(String line) {
    Matcher uncaught = UNCAUGHT.matcher(line);
    if (uncaught.matches()) {
      return uncaught.group(1) + ": " + uncaught.group(2); // "Uncaught (in promise): Error: boom"
    }
    return REPEATS.matcher(line).matches() ? null : line;
  }
}
