package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code class-archive.sh}, which {@code run-gateway.sh} starts the gateway with, makes an archive the JVM can use. */
class ClassArchiveIT {

  @Test
  void theScriptRecordsAnArchiveThatTheJvmMapsAtStart() throws Exception {
    Path jar = Path.of(System.getProperty("faas4j.gateway.jar"));
    List<String> options = GatewayClassArchive.jvmOptions(jar);
    Path archive = jar.resolveSibling(jar.getFileName() + ".jsa").toAbsolutePath();
    assertThat(options).as("the options the script printed").contains("-XX:SharedArchiveFile=" + archive);
    assertThat(Files.size(archive)).isPositive();

    // -Xshare:on makes the JVM refuse to start when it cannot map the archive (wrong JDK, wrong jar)
    List<String> command = new ArrayList<>(List.of(GatewayProcess.java(), "-Xshare:on"));
    command.addAll(options);
    command.addAll(List.of("-jar", jar.toString(), "--help"));
    Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(java.exitValue()).as(printed).isZero();
    assertThat(printed).contains("Usage: java -jar faas-gateway.jar");
  }
}
