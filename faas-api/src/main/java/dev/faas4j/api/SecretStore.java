package dev.faas4j.api;

import java.util.Map;

/**
 * Where a function's secrets are kept: an optional capability a {@link FunctionStore} may
 * implement besides {@code FunctionStore} (faas-core finds it with {@code instanceof}).
 *
 * <p>A store keeps <em>sealed</em> values only: faas-core encrypts a value before it reaches the
 * store and decrypts it after, so the store (and its database) never holds a secret in clear text.
 * Secrets belong to a function's name, not to a version; they may be set before the function is
 * first deployed, and they outlive its deletion (remove them with {@link #deleteSecret}).
 *
 * <p>Implementations are thread-safe; a write that returned is durable. Methods may throw what
 * the store throws; faas-core turns it into a {@link FaasException} with reason {@code UNAVAILABLE}.
 */
public interface SecretStore {

  /**
   * Creates or replaces one secret.
   *
   * @param function the function's key (its lower-case name)
   * @param key the secret's name, an env var name (see {@link Validation#requireEnv})
   * @param sealed the encrypted value, as text (at most 64 KiB)
   */
  void putSecret(String function, String key, String sealed) throws Exception;

  /**
   * Deletes one secret.
   *
   * @return {@code true} if it existed
   */
  boolean deleteSecret(String function, String key) throws Exception;

  /** Every secret of a function, by name, sealed; empty if it has none. */
  Map<String, String> secrets(String function) throws Exception;
}
