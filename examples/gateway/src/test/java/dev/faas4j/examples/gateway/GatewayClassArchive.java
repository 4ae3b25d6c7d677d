package dev.faas4j.examples.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A class-data sharing archive of the gateway's start, for the ~100 gateways the tests start. Made
 * once per build, next to the jar, by a gateway that starts, listens and is stopped (the JVM dumps
 * the classes it loaded as it exits). A gateway started with it loads those classes mapped from the
 * archive instead of parsing and verifying them: on the 2-core machine this was measured on, a
 * start to "listening" took 1.2-1.6 s of CPU with the archive and the C1 compiler alone, against
 * 2.8-3.6 s with neither. An archive that does not match the JVM or the jar is ignored by the JVM,
 * so a stale one costs speed, never a failure.
 */
final class GatewayClassArchive {

  private static Optional<Path> archive;

  private GatewayClassArchive() {
  }

  /** The JVM options that use the archive, made on the first call; none if it could not be made. */
  static synchronized List<String> jvmOptions(Path jar) {
    if (archive == null) {
      archive = make(jar);
    }
    return archive.map(path -> List.of("-XX:SharedArchiveFile=" + path, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"))
        .orElse(List.of());
  }

  private static Optional<Path> make(Path jar) {
    Path target = jar.resolveSibling(jar.getFileName() + ".jsa");
    try {
      if (Files.exists(target) && Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(jar)) > 0) {
        return Optional.of(target);
      }
      Path dataDir = Files.createTempDirectory("faas4j-cds-");
      Path dumping = target.resolveSibling(target.getFileName() + ".tmp");
      Files.deleteIfExists(dumping);
      try {
        Path log = dataDir.resolve("gateway.log");
        Process gateway = new ProcessBuilder(GatewayProcess.java(), "-XX:ArchiveClassesAtExit=" + dumping,
            "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-jar", jar.toString(), "--port", "0",
            "--data-dir", dataDir.resolve("data").toString()).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        try {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          // the classes of a start are loaded once it listens
          while (gateway.isAlive() && System.nanoTime() < deadline
              && !Files.readString(log, StandardCharsets.ISO_8859_1).contains("listening on")) {
            Thread.sleep(20);
          }
          gateway.destroy(); // SIGTERM: a normal exit, at which the JVM writes the archive
        } finally {
          if (!gateway.waitFor(60, TimeUnit.SECONDS)) {
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        }
        if (!Files.exists(dumping)) {
          System.out.println("[gateway-cds] no archive was written; gateways start without one");
          return Optional.empty();
        }
        Files.move(dumping, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return Optional.of(target);
      } finally {
        HostileInputIT.deleteRecursively(dataDir);
      }
    } catch (IOException e) {
      System.out.println("[gateway-cds] could not make the archive (" + e + "); gateways start without one");
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
