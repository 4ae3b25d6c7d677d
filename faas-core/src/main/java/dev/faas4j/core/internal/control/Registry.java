package dev.faas4j.core.internal.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.Validation;
import dev.faas4j.core.internal.telemetry.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed state of every function: an in-memory view of the {@link FunctionStore}, read
 * without locks on the request path and written through the store.
 *
 * <p>Changes go through {@link #write}: writers of one function are serialised in this JVM, and
 * writers in other JVMs sharing the store are detected by the store's revision check, after which
 * the view is reloaded and the change is tried again on fresh state.
 */
public final class Registry {

  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
  private static final int MAX_WRITE_ATTEMPTS = 5;

  private final FunctionStore store;
  private final Metrics metrics;
  private final ConcurrentHashMap<String, FunctionState> functions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
  /** Names the store did not have a moment ago, so that requests for them do not each ask it again. */
  private final Cache<String, Boolean> recentlyMissing;

  public Registry(FunctionStore store, Clock clock, Metrics metrics) {
    this.store = store;
    this.metrics = metrics;
    this.recentlyMissing = Caffeine.newBuilder()
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .expireAfterWrite(Duration.ofSeconds(1))
        .maximumSize(10_000)
        .build();
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

  /**
   * The function's state; a function this JVM has not seen is looked up in the store (another
   * gateway may own it).
   *
   * @throws FaasException NOT_FOUND if the store does not have it either
   */
  public FunctionState require(String name) {
    Validation.requireLabel("function name", name);
    return get(name).or(() -> refresh(name))
        .orElseThrow(() -> FaasException.notFound("function '" + name + "' not found"));
  }

  /**
   * The function's state for a request: from the view, or else from the store, unless the store
   * did not have it within the last second. A function this JVM does not know may have been
   * deployed by another gateway sharing the store.
   */
  public Optional<FunctionState> lookUp(String name) {
    Optional<FunctionState> known = get(name);
    if (known.isPresent()) {
      return known;
    }
    String key = Validation.canonical(name);
    if (recentlyMissing.getIfPresent(key) != null) {
      return Optional.empty();
    }
    Optional<FunctionState> stored = refresh(name);
    if (stored.isEmpty()) {
      recentlyMissing.put(key, Boolean.TRUE);
    }
    return stored;
  }

  /** Forgets that the store did not have a function, so that the next request looks again. */
  public void forgetMissing(String key) {
    recentlyMissing.invalidate(key);
  }

  /**
   * Runs {@code change} with the function's lock held, again on fresh state each time it lost a
   * race with a writer in another JVM, up to a few times.
   *
   * @throws FaasException CONFLICT if it kept losing, INVALID_REQUEST for a name that is not a label
   */
  public <T> T write(String name, Supplier<T> change) {
    Validation.requireLabel("function name", name);
    synchronized (lock(name)) {
      for (int attempt = 1; ; attempt++) {
        try {
          return change.get();
        } catch (Stale stale) {
          if (attempt == MAX_WRITE_ATTEMPTS) {
            throw FaasException.conflict("function " + name + " is being changed by another writer; try again");
          }
          metrics.storeWriteRetried();
        }
      }
    }
  }

  /** The monitor that serialises changes to one function in this JVM. */
  private Object lock(String name) {
    return locks.computeIfAbsent(Validation.canonical(name), k -> new Object());
  }

  /**
   * Commits {@code next}, whose revision must be one more than the stored one. Call it within
   * {@link #write}, which retries when another writer changed the function first.
   *
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

  /** Deletes a function at the given revision. Call it within {@link #write}, as {@link #commit}. */
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
    return call(call, what, "; nothing was changed");
  }

  /**
   * Runs one call of the store, turning its failure into {@link FaasException} UNAVAILABLE whose
   * message names {@code what} could not be done and ends with {@code consequence}.
   */
  public static <T> T call(StoreCall<T> call, String what, String consequence) {
    try {
      return call.run();
    } catch (FaasException e) {
      throw e;
    } catch (Exception e) {
      LOG.warn("function store failed to {}: {}", what, e.toString());
      throw new FaasException(FaasException.Reason.UNAVAILABLE,
          "the function store is unavailable (could not " + what + "): " + e.getMessage() + consequence, e);
    }
  }

  /** One call of the store, which may throw what the store throws. */
  @FunctionalInterface
  public interface StoreCall<T> {
    T run() throws Exception;
  }

  /** Thrown when a write lost a race with another writer; {@link #write} retries on fresh state. */
  private static final class Stale extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stale() {
      super("stale function state", null, false, false);
    }
  }
}
