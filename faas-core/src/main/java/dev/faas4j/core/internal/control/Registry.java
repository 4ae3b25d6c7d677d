package dev.faas4j.core.internal.control;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.Validation;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed state of every function: an in-memory view of the {@link FunctionStore}, read
 * without locks on the request path and written through the store.
 *
 * <p>Writers of one function are serialised in this JVM by {@link #lock(String)}; writers in
 * other JVMs sharing the store are detected by the store's revision check, in which case the view
 * is reloaded and the caller gets {@link Stale}.
 */
public final class Registry {

  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

  private final FunctionStore store;
  private final ConcurrentHashMap<String, FunctionState> functions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

  public Registry(FunctionStore store) {
    this.store = store;
  }

  /** Loads every function from the store, replacing the view. */
  public List<FunctionState> restore() {
    List<FunctionState> all = call(store::loadAll, "load the functions");
    functions.clear();
    for (FunctionState state : all) {
      functions.put(state.key(), state);
    }
    return all;
  }

  /** The committed state of a function (name in any case), from the view. */
  public Optional<FunctionState> get(String name) {
    return Optional.ofNullable(functions.get(Validation.canonical(name)));
  }

  /** Every function in the view. */
  public Collection<FunctionState> all() {
    return functions.values();
  }

  /** The monitor that serialises changes to one function in this JVM. */
  public Object lock(String name) {
    return locks.computeIfAbsent(Validation.canonical(name), k -> new Object());
  }

  /**
   * Commits {@code next}, whose revision must be one more than the stored one.
   *
   * @throws Stale if another writer changed the function first (the view is refreshed)
   * @throws FaasException UNAVAILABLE if the store fails; nothing was committed
   */
  public void commit(FunctionState next) {
    boolean saved = call(() -> store.save(next), "save " + next.name());
    if (!saved) {
      refresh(next.name());
      throw new Stale();
    }
    functions.put(next.key(), next);
  }

  /** Deletes a function at the given revision; {@link Stale} if it changed meanwhile. */
  public void delete(FunctionState current) {
    boolean deleted = call(() -> store.delete(current.key(), current.revision()), "delete " + current.name());
    if (!deleted) {
      refresh(current.name());
      throw new Stale();
    }
    functions.remove(current.key());
  }

  /** Reloads one function from the store into the view. */
  public Optional<FunctionState> refresh(String name) {
    Optional<FunctionState> stored = call(() -> store.load(name), "load " + name);
    stored.ifPresentOrElse(s -> functions.put(s.key(), s), () -> functions.remove(Validation.canonical(name)));
    return stored;
  }

  private static <T> T call(StoreCall<T> call, String what) {
    try {
      return call.run();
    } catch (FaasException e) {
      throw e;
    } catch (Exception e) {
      LOG.warn("function store failed to {}: {}", what, e.toString());
      throw new FaasException(FaasException.Reason.UNAVAILABLE,
          "the function store is unavailable (could not " + what + "): " + e.getMessage() + "; nothing was changed", e);
    }
  }

  @FunctionalInterface
  private interface StoreCall<T> {
    T run() throws Exception;
  }

  /** Thrown when a write lost a race with another writer; the caller retries on fresh state. */
  public static final class Stale extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stale() {
      super("stale function state", null, false, false);
    }
  }
}
