package dev.faas4j.core.testing;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.Freezing;
import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionRef;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The {@link Freezing} capability of an {@link InMemoryProvider} built with {@link
 * InMemoryProvider#freezing(long)}: a frozen version's handler refuses to run until it is thawed,
 * so a test sees a request that reached a frozen instance as a failure. Thread-safe.
 */
final class InMemoryFreezing implements Freezing {

  private final Set<FunctionRef> frozen = ConcurrentHashMap.newKeySet();
  private final Predicate<FunctionRef> isRunning;
  private final long bytesPerInstance;

  InMemoryFreezing(Predicate<FunctionRef> isRunning, long bytesPerInstance) {
    this.isRunning = isRunning;
    this.bytesPerInstance = bytesPerInstance;
  }

  @Override
  public void freeze(FunctionRef ref) {
    if (isRunning.test(ref)) {
      frozen.add(ref);
    }
  }

  @Override
  public void thaw(FunctionRef ref) {
    frozen.remove(ref);
  }

  @Override
  public long frozenMemoryBytes(FunctionRef ref) {
    return frozen.contains(ref) ? bytesPerInstance : 0;
  }

  boolean isFrozen(FunctionRef ref) {
    return frozen.contains(ref);
  }

  /** The instance is gone (scaled to zero, crashed): it is no longer frozen either. */
  void stopped(FunctionRef ref) {
    frozen.remove(ref);
  }

  /** {@code handler}, refusing to run while {@code ref} is frozen. */
  FunctionHandler guard(FunctionRef ref, FunctionHandler handler) {
    return request -> {
      if (frozen.contains(ref)) {
        throw new FaasException(FaasException.Reason.INTERNAL, ref + " was called while frozen: faas4j must thaw it first");
      }
      return handler.handle(request);
    };
  }
}
