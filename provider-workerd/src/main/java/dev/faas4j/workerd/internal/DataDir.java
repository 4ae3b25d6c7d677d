package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider's data directory: {@code <root>/<function>/<version>/}, one directory per deployed
 * version, each marked with {@link ConfigWriter#MARKER_FILE} and holding a {@value #PID_FILE} from
 * the moment a process is spawned until it is gone. A lock file keeps two providers from sharing
 * one root.
 *
 * <p>Not thread-safe on its own; the provider serialises calls per version.
 */
public final class DataDir implements AutoCloseable {

  /** The file that records the pid of a version's running workerd. */
  public static final String PID_FILE = "workerd.pid";

  private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDir(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates {@code root} if needed and locks it for this provider.
   *
   * @throws IllegalStateException if another provider (in this or another JVM) holds it
   */
  public static DataDir open(Path root) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    OwnerOnlyFiles.createDirectories(absolute);
    FileChannel channel = FileChannel.open(absolute.resolve(".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("workerd data dir " + absolute + " is in use by another running"
          + " WorkerdProvider: give each provider its own dataDir(...)");
    }
    return new DataDir(absolute, channel, lock);
  }

  /** The absolute root directory. */
  public Path root() {
    return root;
  }

  /** The directory of one version. Names are DNS labels, so they are safe as file names. */
  public Path versionDir(String name, String version) {
    return root.resolve(name).resolve(version);
  }

  /**
   * Where the process serving the version in {@code dir} records its pid; {@link WorkerdProcess}
   * writes it as the process is spawned.
   */
  public Path pidFile(Path dir) {
    return dir.resolve(PID_FILE);
  }

  /** Forgets the pid file of {@code dir}. */
  public void clearPid(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(PID_FILE));
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir.resolve(PID_FILE), e.toString());
    }
  }

  /** The pid recorded in {@code versionDir}, if that process is alive and runs its config. */
  static Optional<Long> leftoverPid(Path versionDir) {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(versionDir.resolve(PID_FILE), StandardCharsets.UTF_8).trim());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      LOG.warn("unreadable pid file in {}: {}", versionDir, e.toString());
      return Optional.empty();
    }
    // A pid may have been reused by an unrelated process since: only a process whose command line
    // names this directory's config (binary, or text as earlier versions ran it) is ours.
    List<String> configs = List.of(versionDir.resolve(ConfigWriter.BINARY_CONFIG_FILE).toAbsolutePath().toString(),
        versionDir.resolve(ConfigWriter.CONFIG_FILE).toAbsolutePath().toString());
    try {
      String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8);
      return Arrays.stream(cmdline.split("\u0000")).anyMatch(configs::contains) ? Optional.of(pid) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Deletes {@code versionDir} and, if it was the last version, its function directory. */
  public void deleteVersionDir(Path versionDir) {
    try {
      deleteTree(versionDir);
      deleteIfEmpty(versionDir.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + versionDir, e);
    }
  }

  static List<Path> children(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(out::add);
    }
    return out;
  }

  static void deleteIfEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      if (stream.iterator().hasNext()) {
        return;
      }
    } catch (NoSuchFileException e) {
      return;
    }
    Files.deleteIfExists(dir);
  }

  /** Deletes a directory tree without following symbolic links; missing is fine. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Releases the lock. The directory and its contents stay. */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      LOG.debug("releasing {}: {}", root, e.toString());
    }
    try {
      lockChannel.close();
    } catch (IOException e) {
      LOG.debug("closing lock of {}: {}", root, e.toString());
    }
  }
}
