package dev.faas4j.core.testing;

import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.Validation;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link FunctionStore} in a map: nothing survives the JVM. The default store of
 * {@code Faas.builder()}, and the one to use in unit tests.
 *
 * <p>Thread-safe; follows the store contract, including the revision checks.
 */
public final class InMemoryStore implements FunctionStore {

  private final ConcurrentHashMap<String, FunctionState> functions = new ConcurrentHashMap<>();

  @Override
  public List<FunctionState> loadAll() {
    return List.copyOf(functions.values());
  }

  @Override
  public Optional<FunctionState> load(String name) {
    return Optional.ofNullable(functions.get(Validation.canonical(name)));
  }

  @Override
  public boolean save(FunctionState state) {
    boolean[] saved = {false};
    functions.compute(state.key(), (key, stored) -> {
      long storedRevision = stored == null ? 0 : stored.revision();
      if (storedRevision == state.revision() - 1) {
        saved[0] = true;
        return state;
      }
      return stored;
    });
    return saved[0];
  }

  @Override
  public boolean delete(String name, long revision) {
    boolean[] deleted = {false};
    functions.computeIfPresent(Validation.canonical(name), (key, stored) -> {
      if (stored.revision() == revision) {
        deleted[0] = true;
        return null;
      }
      return stored;
    });
    return deleted[0];
  }

  @Override
  public void close() {}
}
