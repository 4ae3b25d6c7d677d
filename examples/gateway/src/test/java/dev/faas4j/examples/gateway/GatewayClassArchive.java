package dev.faas4j.examples.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class-data sharing archive of the gateway's start, for the ~100 gateways the tests start, made
 * by the same script users start the gateway with ({@code examples/gateway/class-archive.sh}), so
 * every test run exercises it. Made once per build, next to the jar. A gateway started with it
 * loads those classes mapped from the archive instead of parsing and verifying them: on the 2-core
 * machine this was measured on, a start to "listening" took 1.2-1.6 s of CPU with the archive and
 * the C1 compiler alone, against 2.8-3.6 s with neither. An archive that does not match the JVM or
 * the jar is ignored by the JVM, so a stale one costs speed, never a failure.
 */
final class GatewayClassArchive {

  /** The script, from this module's directory (where the tests run). */
  private static final Path SCRIPT = Path.of("class-archive.sh");

  private static List<String> options;

  private GatewayClassArchive() {
  }

  /** The JVM options that use the archive, made on the first call; none if it could not be made. */
  static synchronized List<String> jvmOptions(Path jar) {
    if (options == null) {
      options = make(jar);
    }
    return options;
  }

  private static List<String> make(Path jar) {
    try {
      ProcessBuilder script = new ProcessBuilder("bash", SCRIPT.toAbsolutePath().toString(),
          jar.toAbsolutePath().toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
      script.environment().put("JAVA", GatewayProcess.java());
      Process process = script.start();
      String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0 || printed.isEmpty()) {
        process.destroyForcibly();
        System.out.println("[gateway-cds] " + SCRIPT + " made no archive; gateways start without one");
        return List.of();
      }
      return List.of(printed.split("\\s+"));
    } catch (IOException e) {
      System.out.println("[gateway-cds] could not run " + SCRIPT + " (" + e + "); gateways start without one");
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
