package dev.faas4j.store.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child JVM running a main class from the test classpath that prints {@code acked N} lines,
 * for the tests that kill a writer with SIGKILL. Its stdout goes to a file, not a pipe: the JDK
 * closes a killed process's pipes, and acknowledgements written just before the kill must still be
 * readable after it.
 */
final class ChildJvm {

  private ChildJvm() {}

  static Process start(Class<?> main, Path stdout, Path stderr, String... args) throws IOException {
    String[] command = new String[5 + args.length];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // sqlite-jdbc extracts its native library to the temp dir and deletes it at exit, which a child
    // killed with SIGKILL never reaches: keep it next to the output, in the test's own temp dir.
    command[1] = "-Dorg.sqlite.tmpdir=" + stdout.toAbsolutePath().getParent();
    command[2] = "-cp";
    command[3] = testClassPath();
    command[4] = main.getName();
    System.arraycopy(args, 0, command, 5, args.length);
    return new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
  }

  /** The last number the child acknowledged with a whole {@code acked N} line; 0 for none. */
  static long lastAcked(Path stdout) throws IOException {
    String out = Files.readString(stdout);
    int end = out.lastIndexOf('\n');
    if (end < 0) {
      return 0;
    }
    int start = out.lastIndexOf('\n', end - 1) + 1;
    return Long.parseLong(out.substring(start, end).substring("acked ".length()));
  }

  /** The classpath the tests run with, which holds the child's main class and the store. */
  private static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }
}
