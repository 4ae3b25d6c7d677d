package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workerd binary of one platform as the runtime jar ({@code dev.faas4j:workerd-runtime}, with
 * the platform's classifier) puts it on the classpath, under {@code dev/faas4j/workerd/runtime/<classifier>/}:
 * {@code workerd.gz} (gzip), {@code workerd.sha256} (the uncompressed binary's SHA-256) and
 * {@code workerd.properties} (version, file name, size).
 *
 * <p>{@link #extract} writes it once into {@code <cache>/<version>/<classifier>-<first 12 hex digits
 * of the SHA-256>/} and returns that file; later calls return the same file after checking it. The
 * binary is written to a temporary file in that directory, its SHA-256 compared with the expected
 * one, made executable, and renamed over the target in one atomic step, so no process ever runs a
 * partly written or corrupt binary. A file lock in the directory lets one JVM extract while others
 * wait and then use its result; a file already there whose checksum is wrong (a disk error, a
 * truncated copy) is replaced. Hashing the whole file (about 160 MB) costs 0.5–0.8 s, too much for
 * every JVM start: once a file was hashed, a marker next to it ({@value #MARKER}) records the
 * checksum with the file's size, modification time and file key (inode), and later lookups, in
 * this JVM or another, compare those only. A file changed in any of them is hashed again.
 *
 * <p>Thread-safe.
 */
public final class RuntimeJar {

  private static final Logger LOG = LoggerFactory.getLogger(RuntimeJar.class);
  /** Where the runtime jars keep each platform's directory on the classpath. */
  public static final String RESOURCE_ROOT = "dev/faas4j/workerd/runtime/";
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern VERSION = Pattern.compile("[0-9][0-9A-Za-z.+-]*");
  /** Files this JVM has checked, with what identified them then: checked again only if that changed. */
  private static final Map<Path, String> VERIFIED = new ConcurrentHashMap<>();
  /** Next to the binary: its SHA-256 and identity when it was last hashed. */
  static final String MARKER = "workerd.verified";
  /** One extraction at a time in this JVM: a {@link FileLock} is held by a JVM, not by a thread. */
  private static final Object EXTRACTING = new Object();

  private final ClassLoader loader;
  private final Platform platform;
  private final String version;
  private final String sha256;
  private final long size;

  private RuntimeJar(ClassLoader loader, Platform platform, String version, String sha256, long size) {
    this.loader = loader;
    this.platform = platform;
    this.version = version;
    this.sha256 = sha256;
    this.size = size;
  }

  /** The classpath directory of {@code platform}'s binary. */
  public static String resourceDir(Platform platform) {
    return RESOURCE_ROOT + platform.classifier() + "/";
  }

  /**
   * The runtime jar of {@code platform} on {@code loader}'s classpath.
   *
   * @return empty if that jar is not on the classpath
   * @throws IllegalStateException if it is there but holds no binary (built without npm) or its
   *     descriptors are unreadable
   */
  public static Optional<RuntimeJar> find(ClassLoader loader, Platform platform) {
    String dir = resourceDir(platform);
    Properties properties = new Properties();
    try (InputStream in = loader.getResourceAsStream(dir + "workerd.properties")) {
      if (in == null) {
        return Optional.empty();
      }
      properties.load(in);
      String version = properties.getProperty("version", "");
      if (!VERSION.matcher(version).matches()) {
        throw new IllegalStateException(dir + "workerd.properties has no valid version: '" + version + "'");
      }
      String sha256;
      try (InputStream sums = loader.getResourceAsStream(dir + "workerd.sha256")) {
        if (sums == null || loader.getResource(dir + "workerd.gz") == null) {
          throw new IllegalStateException("the workerd runtime jar for " + platform.classifier() + " on the classpath"
              + " holds no binary (" + dir + "workerd.gz): it was built without npm. Rebuild faas4j with npm on PATH");
        }
        sha256 = new String(sums.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
      }
      if (!SHA256.matcher(sha256).matches()) {
        throw new IllegalStateException(dir + "workerd.sha256 holds no SHA-256: '" + sha256 + "'");
      }
      long size = Long.parseLong(properties.getProperty("size", "-1"));
      return Optional.of(new RuntimeJar(loader, platform, version, sha256, size));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + "workerd.properties: " + e.getMessage(), e);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(dir + "workerd.properties has no valid size", e);
    }
  }

  /** The workerd version the jar holds. */
  public String version() {
    return version;
  }

  /** The uncompressed binary's SHA-256, in lower-case hex. */
  public String sha256() {
    return sha256;
  }

  /** Where {@link #extract} puts the binary under {@code cacheRoot}. */
  public Path target(Path cacheRoot) {
    return cacheRoot.resolve(version).resolve(platform.classifier() + "-" + sha256.substring(0, 12))
        .resolve(platform.binaryName());
  }

  /**
   * The binary, extracted into {@code cacheRoot} unless a checked copy is already there.
   *
   * @throws IOException if the cache cannot be written
   * @throws IllegalStateException if the jar's binary does not have its checksum (nothing is left
   *     in the cache then)
   */
  public Path extract(Path cacheRoot) throws IOException {
    Path target = target(cacheRoot);
    if (isIntact(target)) {
      return target;
    }
    Path dir = Files.createDirectories(target.getParent());
    synchronized (EXTRACTING) {
      try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        if (isIntact(target)) {
          return target; // another JVM extracted it while this one waited
        }
        deleteLeftovers(dir);
        Path tmp = Files.createTempFile(dir, ".workerd-", ".tmp");
        try {
          writeChecked(tmp);
          makeExecutable(tmp);
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          remember(target);
          LOG.info("extracted workerd {} for {} into {}", version, platform.classifier(), target);
          return target;
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    }
  }

  /** Inflates the jar's binary into {@code file}, refusing it unless its SHA-256 is the expected one. */
  private void writeChecked(Path file) throws IOException {
    MessageDigest digest = sha256Digest();
    String resource = resourceDir(platform) + "workerd.gz";
    try (InputStream gz = loader.getResourceAsStream(resource)) {
      if (gz == null) {
        throw new IllegalStateException(resource + " vanished from the classpath");
      }
      try (InputStream in = new DigestInputStream(new GZIPInputStream(gz, 1 << 16), digest);
          OutputStream out = Files.newOutputStream(file)) {
        in.transferTo(out);
      }
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(sha256)) {
      throw new IllegalStateException("the workerd binary in " + resource + " is corrupt: its SHA-256 is " + actual
          + ", the jar's workerd.sha256 says " + sha256 + "; replace the workerd-runtime jar (" + platform.classifier() + ")");
    }
  }

  /** Whether {@code target} exists with the expected checksum (hashed once per JVM) and is executable. */
  private boolean isIntact(Path target) throws IOException {
    if (!Files.isRegularFile(target)) {
      return false;
    }
    String identity = identity(target);
    if (!identity.equals(VERIFIED.get(target))) {
      if (marker(identity).equals(readMarker(target))) {
        VERIFIED.put(target, identity); // hashed by an earlier JVM, unchanged since
      } else if (size >= 0 && Files.size(target) != size || !sha256(target).equals(sha256)) {
        LOG.warn("{} is not the binary of the runtime jar (wrong size or SHA-256): extracting it again", target);
        VERIFIED.remove(target);
        return false;
      } else {
        remember(target);
      }
    }
    if (!Files.isExecutable(target)) {
      makeExecutable(target);
    }
    return true;
  }

  /** Records that {@code target} has the expected checksum, for this JVM and in its marker file. */
  private void remember(Path target) throws IOException {
    String identity = identity(target);
    VERIFIED.put(target, identity);
    Path tmp = Files.createTempFile(target.getParent(), ".marker-", ".tmp");
    try {
      Files.writeString(tmp, marker(identity), StandardCharsets.US_ASCII);
      Files.move(tmp, target.resolveSibling(MARKER), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private String marker(String identity) {
    return sha256 + " " + identity + "\n";
  }

  private static String readMarker(Path target) {
    try {
      return Files.readString(target.resolveSibling(MARKER), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String identity(Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    return attributes.size() + "/" + attributes.lastModifiedTime().toMillis() + "/" + attributes.fileKey();
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = sha256Digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** {@code rwxr-xr-x} where POSIX permissions exist, else the owner's execute bit. */
  private static void makeExecutable(Path file) throws IOException {
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (posix != null) {
      posix.setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
    } else if (!file.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + file + " executable");
    }
  }

  /** Temporary files of an extraction that died: only the lock holder writes any, so these are dead. */
  private static void deleteLeftovers(Path dir) throws IOException {
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".workerd-*.tmp")) {
      for (Path leftover : leftovers) {
        Files.deleteIfExists(leftover);
      }
    }
  }
}
