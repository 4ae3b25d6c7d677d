package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionSpec;
import java.time.Clock;

/**
 * A request's hold on a ready endpoint. Close it exactly once, from any thread, when the
 * request is over.
 */
public final class Lease implements AutoCloseable {
  private final Instance instance;
  private final LeastOutstanding.Pick pick;
  private final Clock clock;

  Lease(Instance instance, LeastOutstanding.Pick pick, Clock clock) {
    this.instance = instance;
    this.pick = pick;
    this.clock = clock;
  }

  /** Where to send the request: the ready replica that had the fewest requests outstanding. */
  public Endpoint endpoint() {
    return pick.endpoint();
  }

  /** The function's own settings, such as its timeout. */
  public FunctionSpec spec() {
    return instance.spec;
  }

  @Override
  public void close() {
    long now = clock.millis();
    instance.lastUsedMillis = now;
    pick.release();
    instance.ended(now);
  }
}
