package dev.faas4j.core.internal.secrets;

import dev.faas4j.api.Change;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.SecretStore;
import dev.faas4j.api.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets of functions: set, delete and list them (names only), and the clear values the
 * functions see as env vars. Values are sealed by a {@link Sealer} before they reach the store; the
 * clear values of functions in use are kept in memory only.
 *
 * <p>After a secret is set or deleted, the running versions of the function on this node are given
 * the new values through {@link SecretEnv} (see {@link dev.faas4j.api.EnvUpdates}), and other nodes
 * learn of it from the change feed ({@link Change.Kind#SECRETS_CHANGED}) and call {@link #changed}.
 *
 * <p>Thread-safe. No log line and no message of this class contains a value.
 */
public final class Secrets {

  private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);

  private final FunctionStore store;
  private final SecretStore secretStore;
  private final Sealer sealer;
  /** Clear values by function key, for the functions asked for since the last change. */
  private final ConcurrentHashMap<String, Map<String, String>> cache = new ConcurrentHashMap<>();
  private final List<SecretEnv> providers = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param store the function store; its {@link SecretStore} side keeps the sealed values, if it has one
   * @param sealer the key, or null when none was configured (then no secret can be set)
   */
  public Secrets(FunctionStore store, Sealer sealer) {
    this.store = store;
    this.secretStore = store instanceof SecretStore s ? s : null;
    this.sealer = sealer;
  }

  /** Wraps a provider so that the versions it deploys get their function's secrets as env vars. */
  public SecretEnv wrap(dev.faas4j.api.FunctionProvider provider) {
    SecretEnv wrapped = new SecretEnv(provider, this);
    providers.add(wrapped);
    return wrapped;
  }

  /**
   * Creates or replaces a secret, then gives the function's running versions on this node the new
   * value, and tells the other nodes.
   *
   * @return the versions of the function running here that now see the new value
   * @throws FaasException INVALID_REQUEST (bad name or value), CONFLICT (no secret key configured),
   *     NOT_SUPPORTED (the store keeps no secrets), UNAVAILABLE (the store failed)
   */
  public List<String> put(String function, String name, String value) {
    String key = functionKey(function);
    Validation.requireEnv(Map.of(checkedName(name), value == null ? "" : value));
    if (value == null || value.isEmpty()) {
      throw FaasException.invalid("secret " + name + " has an empty value; send the value as the request body");
    }
    SecretStore target = requireStore();
    if (sealer == null) {
      throw FaasException.conflict("secrets are disabled: this server has no secret key. Set " + Sealer.KEY_ENV
          + " to " + Sealer.HOW_TO_MAKE_ONE + " (or call FaasBuilder.secretKey) and restart");
    }
    String sealed = sealer.seal(key, name, value);
    call(() -> {
      target.putSecret(key, name, sealed);
      return null;
    }, "store secret " + name + " of " + key);
    LOG.info("secret {} of {} set", name, key);
    return afterChange(key);
  }

  /**
   * Deletes a secret, then gives the function's running versions the remaining ones.
   *
   * @throws FaasException NOT_FOUND if there is no such secret
   */
  public List<String> delete(String function, String name) {
    String key = functionKey(function);
    checkedName(name);
    SecretStore target = requireStore();
    boolean deleted = call(() -> target.deleteSecret(key, name), "delete secret " + name + " of " + key);
    if (!deleted) {
      throw FaasException.notFound("function " + key + " has no secret " + name);
    }
    LOG.info("secret {} of {} deleted", name, key);
    return afterChange(key);
  }

  /** The names of a function's secrets, sorted. */
  public List<String> names(String function) {
    String key = functionKey(function);
    if (secretStore == null) {
      return List.of();
    }
    return new ArrayList<>(new TreeMap<>(call(() -> secretStore.secrets(key), "list secrets of " + key)).keySet());
  }

  /**
   * The clear values of a function's secrets (any case of its name), empty if it has none.
   *
   * @throws FaasException UNAVAILABLE if the store fails or a value cannot be decrypted (no key, or
   *     another key than it was sealed with)
   */
  public Map<String, String> values(String function) {
    String key = functionKey(function);
    Map<String, String> known = cache.get(key);
    if (known != null) {
      return known;
    }
    Map<String, String> loaded = load(key);
    cache.put(key, loaded);
    return loaded;
  }

  /**
   * Reloads a function's secrets after another node changed them and gives the running versions
   * here the new values. Failures are logged: the versions keep their values.
   */
  public void changed(String function) {
    try {
      rotate(functionKey(function));
    } catch (RuntimeException e) {
      LOG.warn("could not apply the new secrets of {}: {}", function, e.getMessage());
    }
  }

  /** Applies a change here first, then announces it: the feed's echo then finds nothing to do. */
  private List<String> afterChange(String key) {
    try {
      return rotate(key);
    } finally {
      try {
        store.announce(key, Change.Kind.SECRETS_CHANGED, null);
      } catch (Exception e) {
        LOG.warn("could not tell the other nodes that the secrets of {} changed: {}", key, e.toString());
      }
    }
  }

  private List<String> rotate(String key) {
    Map<String, String> fresh = load(key);
    if (fresh.equals(cache.put(key, fresh))) {
      return List.of(); // already applied here (the feed repeats this node's own change)
    }
    List<String> updated = new ArrayList<>();
    for (SecretEnv provider : providers) {
      updated.addAll(provider.rotate(key));
    }
    return updated;
  }

  private Map<String, String> load(String key) {
    if (secretStore == null) {
      return Map.of();
    }
    Map<String, String> sealed = call(() -> secretStore.secrets(key), "read secrets of " + key);
    if (sealed.isEmpty()) {
      return Map.of();
    }
    if (sealer == null) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "function " + key + " has secrets " + new TreeMap<>(
          sealed).keySet() + " but this server has no secret key to decrypt them: set " + Sealer.KEY_ENV);
    }
    Map<String, String> clear = new TreeMap<>();
    sealed.forEach((name, value) -> clear.put(name, sealer.open(key, name, value)));
    return Map.copyOf(clear);
  }

  private SecretStore requireStore() {
    if (secretStore == null) {
      throw new FaasException(FaasException.Reason.NOT_SUPPORTED, "the function store ("
          + store.getClass().getSimpleName() + ") keeps no secrets: use JdbcFunctionStore or InMemoryStore");
    }
    return secretStore;
  }

  private static String functionKey(String function) {
    return Validation.canonical(Validation.requireLabel("function name", function));
  }

  private static String checkedName(String name) {
    Validation.requireEnv(Map.of(name == null ? "" : name, "x"));
    return name;
  }

  private static <T> T call(StoreCall<T> call, String what) {
    try {
      return call.run();
    } catch (FaasException e) {
      throw e;
    } catch (Exception e) {
      LOG.warn("function store failed to {}: {}", what, e.toString());
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "the function store is unavailable (could not "
          + what + ")", e);
    }
  }

  @FunctionalInterface
  private interface StoreCall<T> {
    T run() throws Exception;
  }
}
