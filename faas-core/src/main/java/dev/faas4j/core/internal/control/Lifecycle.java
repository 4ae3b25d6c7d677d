package dev.faas4j.core.internal.control;

import dev.faas4j.api.FaasException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Whether faas4j still serves: every change and every function request checks it. Thread-safe. */
public final class Lifecycle {

  private final AtomicBoolean closed = new AtomicBoolean();

  /** @throws FaasException UNAVAILABLE once faas4j is shut down */
  public void checkOpen() {
    if (closed.get()) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "faas4j is shut down");
    }
  }

  /** Marks faas4j shut down; true only for the call that did it. */
  public boolean close() {
    return closed.compareAndSet(false, true);
  }
}
