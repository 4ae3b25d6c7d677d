package dev.faas4j.core.internal.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * A large deterministic body, produced and checked piece by piece so that neither end of a test
 * ever holds it whole: tests compare SHA-256 hashes and byte counts, not contents.
 */
final class Payload {

  static final int BLOCK = 64 * 1024;

  private Payload() {}

  /** The result of producing or consuming a body. */
  record Digest(long bytes, String sha256) {}

  /** Writes {@code size} bytes, calling {@code afterBlock} after each 64 KiB block. */
  static Digest write(OutputStream out, long size, BlockListener afterBlock) throws IOException {
    MessageDigest sha = sha256();
    byte[] block = new byte[BLOCK];
    new Random(42).nextBytes(block);
    long written = 0;
    int index = 0;
    while (written < size) {
      block[0] = (byte) index;
      block[1] = (byte) (index >> 8);
      int n = (int) Math.min(BLOCK, size - written);
      out.write(block, 0, n);
      sha.update(block, 0, n);
      written += n;
      index++;
      afterBlock.written(written);
    }
    return new Digest(written, HexFormat.of().formatHex(sha.digest()));
  }

  /** Reads {@code in} to its end, calling {@code afterRead} with the running count. */
  static Digest read(InputStream in, BlockListener afterRead) throws IOException {
    MessageDigest sha = sha256();
    byte[] buffer = new byte[BLOCK];
    long read = 0;
    int n;
    while ((n = in.read(buffer)) >= 0) {
      sha.update(buffer, 0, n);
      read += n;
      afterRead.written(read);
    }
    return new Digest(read, HexFormat.of().formatHex(sha.digest()));
  }

  @FunctionalInterface
  interface BlockListener {
    void written(long total) throws IOException;

    BlockListener NONE = total -> {};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
