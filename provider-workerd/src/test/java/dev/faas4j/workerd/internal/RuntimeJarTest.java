package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the runtime jar's binary into the cache, on made-up binaries. */
class RuntimeJarTest {

  private static final String VERSION = "1.20260101.0";

  @TempDir
  Path tmp;

  private final List<URLClassLoader> loaders = new ArrayList<>();

  @AfterEach
  void closeLoaders() throws Exception {
    for (URLClassLoader loader : loaders) {
      loader.close();
    }
  }

  private RuntimeJar jar(Path resources) {
    URLClassLoader loader = FakeRuntime.loader(resources);
    loaders.add(loader);
    return RuntimeJar.find(loader, FakeRuntime.LINUX).orElseThrow();
  }

  private Path cache() {
    return tmp.resolve("cache");
  }

  private List<Path> filesIn(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(Path::getFileName).toList();
    }
  }

  @Test
  void extractsAnExecutableCopyNamedByVersionPlatformAndChecksum() throws Exception {
    byte[] binary = FakeRuntime.binary(300_000, 1);
    RuntimeJar jar = jar(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, binary, null));

    Path extracted = jar.extract(cache());

    assertThat(extracted).as("where it is extracted")
        .isEqualTo(cache().resolve(VERSION).resolve("linux-x86_64-" + jar.sha256().substring(0, 12)).resolve("workerd"));
    assertThat(Files.readAllBytes(extracted)).as("the extracted bytes").isEqualTo(binary);
    assertThat(Files.getPosixFilePermissions(extracted)).as("permissions")
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(filesIn(extracted.getParent())).as("the directory: the binary, the lock, the marker, no temporary file")
        .containsExactlyInAnyOrder(Path.of("workerd"), Path.of(".lock"), Path.of(RuntimeJar.MARKER));
  }

  @Test
  void aBinaryWhoseChecksumDiffersIsRefusedAndNothingIsLeft() throws Exception {
    RuntimeJar jar = jar(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION,
        FakeRuntime.binary(100_000, 2), "ab".repeat(32)));

    assertThatThrownBy(() -> jar.extract(cache())).as("extracting a binary with the wrong checksum")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is corrupt")
        .hasMessageContaining("ab".repeat(32));
    Path dir = jar.target(cache()).getParent();
    assertThat(filesIn(dir)).as("what the refused extraction left in " + dir).containsExactly(Path.of(".lock"));
  }

  @Test
  void aSecondLookupReturnsTheSameFileWithoutWritingIt() throws Exception {
    RuntimeJar jar = jar(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, FakeRuntime.binary(100_000, 3), null));
    Path first = jar.extract(cache());
    Object inode = Files.readAttributes(first, "unix:ino").get("ino");

    Path second = jar(tmp.resolve("jar")).extract(cache());

    assertThat(second).as("second lookup").isEqualTo(first);
    assertThat(Files.readAttributes(second, "unix:ino").get("ino")).as("the same file, not a new copy").isEqualTo(inode);
  }

  @Test
  void aCorruptCachedBinaryIsReplacedByRenameNotRewrittenInPlace() throws Exception {
    byte[] binary = FakeRuntime.binary(200_000, 4);
    RuntimeJar jar = jar(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, binary, null));
    Path target = jar.extract(cache());
    byte[] corrupt = binary.clone();
    corrupt[corrupt.length / 2] ^= 1; // same size, one bit off
    Files.write(target, corrupt);
    // A change is noticed by its modification time (and size, file key) in a JVM that checked the
    // file before; make sure it differs even on a file system with coarse timestamps.
    Files.setLastModifiedTime(target, FileTime.fromMillis(Files.getLastModifiedTime(target).toMillis() + 5_000));
    Object corruptInode = Files.readAttributes(target, "unix:ino").get("ino");

    try (InputStream openedBefore = Files.newInputStream(target)) {
      Path again = jar(tmp.resolve("jar")).extract(cache());

      assertThat(Files.readAllBytes(again)).as("the cache after the corrupt copy was found").isEqualTo(binary);
      assertThat(Files.readAttributes(again, "unix:ino").get("ino")).as("a new file renamed into place")
          .isNotEqualTo(corruptInode);
      assertThat(openedBefore.readAllBytes()).as("what a reader that had the old file open still sees: the old file,"
          + " untouched (it was replaced by rename, not overwritten)").isEqualTo(corrupt);
    }
  }

  @Test
  void aTruncatedCachedBinaryAndAnAbandonedTemporaryFileAreCleanedUp() throws Exception {
    byte[] binary = FakeRuntime.binary(200_000, 5);
    RuntimeJar jar = jar(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, binary, null));
    Path target = jar.target(cache());
    Files.createDirectories(target.getParent());
    Files.write(target, new byte[] {1, 2, 3});
    Files.write(target.resolveSibling(".workerd-123.tmp"), new byte[] {4, 5});

    Path extracted = jar.extract(cache());

    assertThat(Files.readAllBytes(extracted)).as("the binary").isEqualTo(binary);
    assertThat(filesIn(target.getParent())).as("the directory").containsExactlyInAnyOrder(Path.of("workerd"), Path.of(".lock"), Path.of(RuntimeJar.MARKER));
  }

  @Test
  void aCachedBinaryThatLostItsExecuteBitGetsItBack() throws Exception {
    RuntimeJar jar = jar(FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, FakeRuntime.binary(10_000, 6), null));
    Path target = jar.extract(cache());
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(Files.isExecutable(jar.extract(cache()))).as("executable again").isTrue();
  }

  @Test
  void threadsExtractingAtOnceAllGetTheOneIntactFile() throws Exception {
    byte[] binary = FakeRuntime.binary(2_000_000, 7);
    Path resources = FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, binary, null);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Path>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        RuntimeJar jar = jar(resources);
        calls.add(() -> jar.extract(cache()));
      }
      List<Path> results = new ArrayList<>();
      for (Future<Path> result : pool.invokeAll(calls)) {
        results.add(result.get());
      }
      assertThat(results).as("every thread's answer").containsOnly(results.get(0));
      assertThat(Files.readAllBytes(results.get(0))).as("the binary").isEqualTo(binary);
      assertThat(filesIn(results.get(0).getParent())).as("the directory").containsExactlyInAnyOrder(Path.of("workerd"), Path.of(".lock"), Path.of(RuntimeJar.MARKER));
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("threads ended").isTrue();
    }
  }

  @Test
  void jvmsExtractingAtOnceAllGetTheOneIntactFile() throws Exception {
    byte[] binary = FakeRuntime.binary(8_000_000, 8);
    Path resources = FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, binary, null);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> jvms = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        jvms.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ExtractMain.class.getName(),
            resources.toString(), cache().toString()).redirectErrorStream(true).start());
      }
      List<String> printed = new ArrayList<>();
      for (Process jvm : jvms) {
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("JVM finished; output: %s", output).isTrue();
        assertThat(jvm.exitValue()).as("exit code; output: %s", output).isZero();
        printed.add(output.lines().reduce((a, b) -> b).orElse(""));
      }
      Path target = jar(resources).target(cache());
      assertThat(printed).as("the path each JVM was given").containsOnly(target.toString());
      assertThat(Files.readAllBytes(target)).as("the binary").isEqualTo(binary);
      assertThat(filesIn(target.getParent())).as("the directory").containsExactlyInAnyOrder(Path.of("workerd"), Path.of(".lock"), Path.of(RuntimeJar.MARKER));
    } finally {
      for (Process jvm : jvms) {
        jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A new JVM trusts a cached binary whose size, modification time and inode are those its marker
   * recorded (so it does not hash 160 MB on every start), and hashes one that changed in any of them.
   */
  @Test
  void aNewJvmTrustsTheMarkerOfAnUnchangedFileAndHashesAChangedOne() throws Exception {
    byte[] binary = FakeRuntime.binary(300_000, 10);
    Path resources = FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, binary, null);
    Path target = jar(resources).extract(cache());
    Object inode = Files.readAttributes(target, "unix:ino").get("ino");
    FileTime extractedAt = Files.getLastModifiedTime(target);

    // Flip a bit in place and put the modification time back: the marker still matches.
    byte[] flipped = binary.clone();
    flipped[7] ^= 1;
    Files.write(target, flipped);
    Files.setLastModifiedTime(target, extractedAt);
    assertThat(extractInNewJvm(resources)).isEqualTo(target.toString());
    assertThat(Files.readAttributes(target, "unix:ino").get("ino")).as("trusted by its marker: the same file")
        .isEqualTo(inode);

    // Without a matching marker the new JVM hashes the file, finds the flipped bit and replaces it.
    Files.delete(target.resolveSibling(RuntimeJar.MARKER));
    assertThat(extractInNewJvm(resources)).isEqualTo(target.toString());
    assertThat(Files.readAllBytes(target)).as("the binary after a JVM without a marker checked it").isEqualTo(binary);
    assertThat(target.resolveSibling(RuntimeJar.MARKER)).as("the marker written again").isRegularFile();
  }

  private String extractInNewJvm(Path resources) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ExtractMain.class.getName(),
        resources.toString(), cache().toString()).redirectErrorStream(true).start();
    try {
      String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("JVM finished; output: %s", output).isTrue();
      assertThat(jvm.exitValue()).as("exit code; output: %s", output).isZero();
      return output.lines().reduce((a, b) -> b).orElse("");
    } finally {
      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aJarWithoutItsBinarySaysSo() throws Exception {
    Path resources = FakeRuntime.write(tmp.resolve("jar"), FakeRuntime.LINUX, VERSION, FakeRuntime.binary(10, 9), null);
    Files.delete(resources.resolve(RuntimeJar.resourceDir(FakeRuntime.LINUX)).resolve("workerd.gz"));
    URLClassLoader loader = FakeRuntime.loader(resources);
    loaders.add(loader);

    assertThatThrownBy(() -> RuntimeJar.find(loader, FakeRuntime.LINUX)).as("a runtime jar built without npm")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds no binary")
        .hasMessageContaining("npm");
  }

  @Test
  void anotherPlatformsJarIsNotThisOne() {
    Path resources = FakeRuntime.write(tmp.resolve("jar"), Platform.of("Mac OS X", "aarch64").orElseThrow(), VERSION,
        FakeRuntime.binary(10, 10), null);
    URLClassLoader loader = FakeRuntime.loader(resources);
    loaders.add(loader);

    assertThat(RuntimeJar.find(loader, FakeRuntime.LINUX)).as("linux-x86_64 with only osx-aarch_64 on the classpath").isEmpty();
  }
}
