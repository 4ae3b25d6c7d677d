package dev.faas4j.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * For tests that promise a value is on disk only while it is needed: finds the files that hold a
 * text. Providers delete a stopped process's directory while a test looks, so a file or directory
 * that is gone by the time it is read counts as not holding the text instead of failing the scan.
 */
public final class FilesOnDisk {

  private FilesOnDisk() {
  }

  /** The files under {@code root}, relative to it, whose bytes (read as ISO-8859-1) contain {@code text}. */
  public static List<Path> containing(Path root, String text) throws IOException {
    List<Path> found = new ArrayList<>();
    if (!Files.exists(root)) {
      return found;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        try {
          if (attributes.isRegularFile()
              && new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text)) {
            found.add(root.relativize(file));
          }
        } catch (NoSuchFileException gone) {
          // deleted between the listing and the read
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
    return found;
  }
}
