package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** A runtime jar's resources in a directory, as the build writes them, with a made-up binary. */
public final class FakeRuntime {

  public static final Platform LINUX = Platform.of("Linux", "amd64").orElseThrow();

  private FakeRuntime() {}

  /** {@code size} pseudo-random bytes from {@code seed}: a stand-in for the binary. */
  public static byte[] binary(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * Writes {@code platform}'s directory under {@code root}: {@code binary} gzip-compressed, with
   * {@code sha256} as its checksum (null: the real one).
   */
  public static Path write(Path root, Platform platform, String version, byte[] binary, String sha256) {
    try {
      Path dir = Files.createDirectories(root.resolve(RuntimeJar.resourceDir(platform)));
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("workerd.gz")))) {
        out.write(binary);
      }
      String sum = sha256 != null ? sha256 : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(binary));
      Files.writeString(dir.resolve("workerd.sha256"), sum + "  " + platform.binaryName() + "\n");
      Files.writeString(dir.resolve("workerd.properties"), "version=" + version + "\nnpm.package=@cloudflare/workerd-x\nfile="
          + platform.binaryName() + "\nsize=" + binary.length + "\n");
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A class loader that sees only {@code root} (and the JDK). */
  public static URLClassLoader loader(Path root) {
    try {
      return new URLClassLoader(new URL[] {root.toUri().toURL()}, null);
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }
}
