package dev.faas4j.core.internal.secrets;

import dev.faas4j.api.FaasException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secret values for the store and decrypts them back: AES-256 in GCM mode (JDK {@code
 * javax.crypto}), a fresh random 12-byte nonce per value, and the function and secret name as
 * associated data, so a sealed value moved to another secret's row does not open.
 *
 * <p>A sealed value is the text {@code v1:} followed by the base64 of nonce, ciphertext and the
 * 16-byte tag. Thread-safe (a {@link Cipher} per call). No message of this class contains a value
 * or the key.
 */
public final class Sealer {

  /** The environment variable the key is read from when the builder was given none. */
  public static final String KEY_ENV = "FAAS4J_SECRET_KEY";
  /** How to make a key, for messages and docs. */
  public static final String HOW_TO_MAKE_ONE = "the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`";

  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  private Sealer(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("a secret key is 32 bytes (AES-256), this one is " + key.length
          + " bytes; use " + HOW_TO_MAKE_ONE);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** A sealer with a 32-byte key. @throws IllegalArgumentException for another length */
  public static Sealer of(byte[] key) {
    return new Sealer(key);
  }

  /**
   * A sealer with a key given as base64 text.
   *
   * @param source where the text came from, for the message of a bad key (e.g. the variable name)
   * @throws IllegalArgumentException if it is not base64 of 32 bytes (the message never shows it)
   */
  public static Sealer ofBase64(String text, String source) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not base64; it must be " + HOW_TO_MAKE_ONE);
    }
    try {
      return new Sealer(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Encrypts {@code value}, the secret {@code name} of {@code function}. */
  public String seal(String function, String name, String value) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, function, name);
      byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new FaasException(FaasException.Reason.INTERNAL, "could not encrypt secret " + name + " of " + function
          + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * Decrypts what {@link #seal} made for the same function and name.
   *
   * @throws FaasException UNAVAILABLE if it does not open: another key sealed it, or it was altered
   */
  public String open(String function, String name, String sealed) {
    try {
      if (!sealed.startsWith(PREFIX)) {
        throw new GeneralSecurityException("unknown format");
      }
      byte[] bytes = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new GeneralSecurityException("too short");
      }
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(bytes, NONCE_BYTES), function, name);
      return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "cannot decrypt secret " + name + " of " + function
          + ": it was sealed with another " + KEY_ENV + ", or altered in the store; set it again, or start with"
          + " the key it was sealed with");
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String function, String name) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD((function + "/" + name).getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  @Override
  public String toString() {
    return "Sealer[AES-256-GCM]";
  }
}
