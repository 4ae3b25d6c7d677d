package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.workerd.internal.BinaryLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup order of the workerd binary, on fake executables. */
class BinaryLocatorTest {

  @TempDir
  Path tmp;

  private Path executable(String dir) throws Exception {
    Path file = Files.createDirectories(tmp.resolve(dir)).resolve("workerd");
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private Path cacheRoot() {
    return tmp.resolve("cache");
  }

  @Test
  void anExplicitBinaryWinsOverEverything() throws Exception {
    Path explicit = executable("explicit");
    Path env = executable("env");

    Path found = BinaryLocator.locate(explicit, Map.of("FAAS4J_WORKERD", env.toString(),
        "PATH", executable("path").getParent().toString()), cacheRoot(), "1.2");

    assertThat(found).as("binary found").isEqualTo(explicit);
  }

  @Test
  void theEnvironmentVariableWinsOverPath() throws Exception {
    Path env = executable("env");

    Path found = BinaryLocator.locate(null, Map.of("FAAS4J_WORKERD", env.toString(),
        "PATH", executable("path").getParent().toString()), cacheRoot(), "1.2");

    assertThat(found).as("binary found").isEqualTo(env);
  }

  @Test
  void pathWinsOverTheCache() throws Exception {
    Path onPath = executable("path");
    executable("cache/1.2/node_modules/@cloudflare/workerd-linux-64/bin");

    Path found = BinaryLocator.locate(null, Map.of("PATH", "/nonexistent:" + onPath.getParent()), cacheRoot(), "1.2");

    assertThat(found).as("binary found").isEqualTo(onPath);
  }

  @Test
  void theBuildsCacheIsTheLastResort() throws Exception {
    Path cached = executable("cache/1.2/node_modules/@cloudflare/workerd-linux-64/bin");

    Path found = BinaryLocator.locate(null, Map.of("PATH", tmp.resolve("empty").toString()), cacheRoot(), "1.2");

    assertThat(found).as("binary found").isEqualTo(cached);
  }

  @Test
  void aMissingBinaryFailsWithInstructions() {
    assertThatThrownBy(() -> BinaryLocator.locate(null, Map.of("PATH", tmp.toString()), cacheRoot(), "1.2"))
        .as("missing binary")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("workerd binary not found")
        .hasMessageContaining("FAAS4J_WORKERD")
        .hasMessageContaining("npm install")
        .hasMessageContaining("@cloudflare/workerd-linux-64@1.2");
  }

  @Test
  void aWrongExplicitPathIsNotSilentlyReplaced() throws Exception {
    executable("path");

    assertThatThrownBy(() -> BinaryLocator.locate(tmp.resolve("nope"),
        Map.of("PATH", tmp.resolve("path").toString()), cacheRoot(), "1.2"))
        .as("explicit path that does not exist")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(tmp.resolve("nope").toString());
  }

  @Test
  void theBuilderReportsAMissingBinary() {
    assertThatThrownBy(() -> WorkerdProvider.builder().binary(tmp.resolve("missing")).dataDir(tmp.resolve("d")).build())
        .as("builder with a missing binary")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not an executable file");
    assertThat(tmp.resolve("d")).as("no data dir created").doesNotExist();
  }

  @Test
  void thePinnedVersionIsTheBuildsVersion() {
    assertThat(BinaryLocator.pinnedVersion()).as("version from the filtered resource").matches("1\\.[0-9]{8}\\.[0-9]+");
  }
}
