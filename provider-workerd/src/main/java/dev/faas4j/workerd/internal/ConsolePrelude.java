package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The two modules the provider puts in front of an ES-module function, read from this jar: {@value
 * #MAIN}, the worker's main module, imports {@value #CONSOLE} (which marks {@code console.warn} and
 * {@code console.error} lines for {@link ConsoleMarks}) and then re-exports the function's own
 * module, which stays a separate, unchanged file, so stack traces name its own lines. User code is
 * never concatenated with these.
 *
 * <p>A service-worker script cannot import modules (workerd runs it as one script), so it gets no
 * prelude: the level of its console lines comes from workerd's structured log ({@link
 * StructuredLines}), which has it for modules too.
 */
public final class ConsolePrelude {

  /** The main module's name. */
  public static final String MAIN = "faas4j-main.js";
  /** The console module's name. */
  public static final String CONSOLE = "faas4j-console.js";

  private static final String MAIN_SOURCE = read(MAIN);
  private static final String CONSOLE_SOURCE = read(CONSOLE);

  private ConsolePrelude() {}

  /** The main module's source; it imports {@code ./worker.js}, the function's module. */
  public static String main() {
    return MAIN_SOURCE;
  }

  /** The console module's source. */
  public static String console() {
    return CONSOLE_SOURCE;
  }

  private static String read(String name) {
    try (InputStream in = ConsolePrelude.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("provider-workerd's jar lacks its resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
