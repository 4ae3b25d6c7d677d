package dev.faas4j.core.internal.telemetry;

import dev.faas4j.api.FunctionRef;
import java.time.Instant;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/** {@link Metrics#NONE}: every report is dropped, and a request costs no clock read. */
final class NoMetrics implements Metrics, Metrics.Invocations {

  @Override
  public Invocations invocations(FunctionRef ref) {
    return this;
  }

  @Override
  public RequestCounts requestCounts(FunctionRef ref) {
    return null;
  }

  @Override
  public long begin() {
    return 0;
  }

  @Override
  public void ended(long begun, int status) {}

  @Override
  public void started(FunctionRef ref, StartCause cause, boolean succeeded, long nanos) {}

  @Override
  public void proxyFailed(FunctionRef ref, ProxyFailure kind) {}

  @Override
  public void deployed(String outcome) {}

  @Override
  public void storeWriteRetried() {}

  @Override
  public void changeApplied(Instant committedAt) {}

  @Override
  public void watchInstances(Iterable<String> states, ToIntFunction<String> count) {}

  @Override
  public void watchTunnels(IntSupplier open) {}

  @Override
  public void watchFunction(String function, IntSupplier readyInstances) {}

  @Override
  public void watchDesiredReplicas(FunctionRef ref, IntSupplier desired) {}

  @Override
  public void versionRemoved(FunctionRef ref) {}

  @Override
  public void functionRemoved(String function) {}
}
