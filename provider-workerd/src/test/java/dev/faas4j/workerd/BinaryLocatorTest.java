package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.workerd.internal.BinaryLocator;
import dev.faas4j.workerd.internal.FakeRuntime;
import dev.faas4j.workerd.internal.Platform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup order of the workerd binary, on fake executables and a fake runtime jar. */
class BinaryLocatorTest {

  private static final Optional<Platform> LINUX = Platform.of("Linux", "amd64");
  private static final byte[] JAR_BINARY = "#!/bin/sh\necho from the runtime jar\n".getBytes();

  @TempDir
  Path tmp;

  private URLClassLoader withJar;
  private final URLClassLoader withoutJar = new URLClassLoader(new URL[0], null);

  @AfterEach
  void close() throws Exception {
    withoutJar.close();
    if (withJar != null) {
      withJar.close();
    }
  }

  private Path executable(String dir) throws Exception {
    Path file = Files.createDirectories(tmp.resolve(dir)).resolve("workerd");
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** A class loader with linux-x86_64's runtime resources, as the workerd-runtime jar has them. */
  private ClassLoader runtimeJar() {
    withJar = FakeRuntime.loader(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, "1.2", JAR_BINARY, null));
    return withJar;
  }

  private Path cacheRoot() {
    return tmp.resolve("cache");
  }

  @Test
  void anExplicitBinaryWinsOverEverything() throws Exception {
    Path explicit = executable("explicit");
    Path env = executable("env");

    Path found = BinaryLocator.locate(explicit, Map.of("FAAS4J_WORKERD", env.toString(),
        "PATH", executable("path").getParent().toString()), cacheRoot(), LINUX, runtimeJar());

    assertThat(found).as("binary found").isEqualTo(explicit);
  }

  @Test
  void theEnvironmentVariableWinsOverTheRuntimeJarAndPath() throws Exception {
    Path env = executable("env");

    Path found = BinaryLocator.locate(null, Map.of("FAAS4J_WORKERD", env.toString(),
        "PATH", executable("path").getParent().toString()), cacheRoot(), LINUX, runtimeJar());

    assertThat(found).as("binary found").isEqualTo(env);
  }

  @Test
  void theRuntimeJarWinsOverPathAndIsExtractedIntoTheCache() throws Exception {
    Path onPath = executable("path");

    Path found = BinaryLocator.locate(null, Map.of("PATH", onPath.getParent().toString()), cacheRoot(), LINUX, runtimeJar());

    assertThat(found).as("binary found").startsWith(cacheRoot().resolve("1.2")).hasFileName("workerd");
    assertThat(Files.readAllBytes(found)).as("the extracted binary").isEqualTo(JAR_BINARY);
    assertThat(Files.isExecutable(found)).as("executable").isTrue();
  }

  @Test
  void pathIsTheLastResort() throws Exception {
    Path onPath = executable("path");

    Path found = BinaryLocator.locate(null, Map.of("PATH", "/nonexistent:" + onPath.getParent()), cacheRoot(), LINUX, withoutJar);

    assertThat(found).as("binary found").isEqualTo(onPath);
    assertThat(cacheRoot()).as("nothing extracted").doesNotExist();
  }

  @Test
  void aRuntimeJarBuiltWithoutNpmLeavesPathAndIsNamedWhenNothingIsFound() throws Exception {
    Path resources = FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, "1.2", JAR_BINARY, null);
    Files.delete(resources.resolve("dev/faas4j/workerd/runtime/linux-x86_64/workerd.gz"));
    withJar = FakeRuntime.loader(resources);
    Path onPath = executable("path");

    assertThat(BinaryLocator.locate(null, Map.of("PATH", onPath.getParent().toString()), cacheRoot(), LINUX, withJar))
        .as("binary found past a runtime jar without its binary").isEqualTo(onPath);
    assertThatThrownBy(() -> BinaryLocator.locate(null, Map.of("PATH", tmp.resolve("empty").toString()), cacheRoot(),
        LINUX, withJar))
        .as("nothing found")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds no binary")
        .hasMessageContaining("workerd on PATH");
  }

  @Test
  void aMissingBinaryNamesEveryPlaceTriedAndTheArtifactToAdd() {
    assertThatThrownBy(() -> BinaryLocator.locate(null, Map.of("PATH", tmp.toString()), cacheRoot(), LINUX, withoutJar))
        .as("missing binary")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("workerd binary not found")
        .hasMessageContaining("builder().binary(path) (not set)")
        .hasMessageContaining("FAAS4J_WORKERD (not set)")
        .hasMessageContaining("the classpath (no dev/faas4j/workerd/runtime/linux-x86_64/)")
        .hasMessageContaining("workerd on PATH")
        .hasMessageContaining("dev.faas4j:workerd-runtime:" + System.getProperty("faas4j.version"))
        .hasMessageContaining("<classifier>linux-x86_64</classifier>");
  }

  @Test
  void anUnsupportedPlatformIsToldWhichOnesExist() {
    assertThatThrownBy(() -> BinaryLocator.locate(null, Map.of("PATH", tmp.toString()), cacheRoot(), Optional.empty(), withoutJar))
        .as("missing binary on a platform without a runtime jar")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no runtime jar exists for this platform")
        .hasMessageContaining("linux-x86_64, linux-aarch_64, osx-x86_64, osx-aarch_64, windows-x86_64 only")
        .hasMessageContaining("FAAS4J_WORKERD");
  }

  @Test
  void aWrongExplicitPathIsNotSilentlyReplaced() throws Exception {
    executable("path");

    assertThatThrownBy(() -> BinaryLocator.locate(tmp.resolve("nope"),
        Map.of("PATH", tmp.resolve("path").toString()), cacheRoot(), LINUX, runtimeJar()))
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
