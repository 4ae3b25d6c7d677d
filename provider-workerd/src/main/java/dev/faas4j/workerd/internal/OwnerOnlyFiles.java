package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates files and directories that only their owner may read: a version's directory holds its
 * code and its env values (in the env files and inside the binary config), which other local users
 * must not see. On a file system without POSIX permissions they are created with its defaults.
 */
final class OwnerOnlyFiles {

  private static final FileAttribute<?> DIRECTORY = PosixFilePermissions.asFileAttribute(
      PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<?> FILE = PosixFilePermissions.asFileAttribute(
      PosixFilePermissions.fromString("rw-------"));

  private OwnerOnlyFiles() {}

  /** Creates {@code dir} (mode 700), which must not exist. */
  static Path createDirectory(Path dir) throws IOException {
    return posix(dir) ? Files.createDirectory(dir, DIRECTORY) : Files.createDirectory(dir);
  }

  /** Creates {@code dir} and its missing parents (mode 700 each); an existing one is left as it is. */
  static Path createDirectories(Path dir) throws IOException {
    return posix(dir) ? Files.createDirectories(dir, DIRECTORY) : Files.createDirectories(dir);
  }

  /** Writes a new file (mode 600) holding {@code text} in UTF-8; it must not exist. */
  static void write(Path file, String text) throws IOException {
    write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a new file (mode 600) holding {@code bytes}; it must not exist. */
  static void write(Path file, byte[] bytes) throws IOException {
    if (posix(file)) {
      Files.createFile(file, FILE);
    }
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(bytes);
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
