package dev.faas4j.core.internal.telemetry;

import dev.faas4j.api.FunctionRef;
import java.time.Instant;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * What faas-core reports to a metrics system. The rest of the core talks to this interface only,
 * never to Micrometer: {@link #NONE} does nothing (no application registry, or no Micrometer on the
 * class path), {@link #micrometer} reports to a Micrometer {@code MeterRegistry}.
 *
 * <p>Implementations are thread-safe and never throw.
 */
public interface Metrics {

  /** Reports nothing, at no cost on the request path. */
  Metrics NONE = new NoMetrics();

  /**
   * Metrics reported to {@code meterRegistry}, a {@code io.micrometer.core.instrument.MeterRegistry}.
   * Typed {@code Object} so that callers need no Micrometer class: this is the one place that loads
   * one, and only when there is a registry to report to.
   *
   * @throws ClassCastException if {@code meterRegistry} is not a MeterRegistry
   */
  static Metrics micrometer(Object meterRegistry) {
    return new MicrometerMetrics((io.micrometer.core.instrument.MeterRegistry) meterRegistry);
  }

  /** The request meters of one version; cheap to call per request (a map look-up). */
  Invocations invocations(FunctionRef ref);

  /** A start of a version's instance ended, {@code succeeded} or not, after {@code nanos}. */
  void started(FunctionRef ref, StartCause cause, boolean succeeded, long nanos);

  /** A function request failed in the proxy, for {@code kind}. */
  void proxyFailed(FunctionRef ref, ProxyFailure kind);

  /** A deploy ended: {@code success}, or the lower-case reason of its failure. */
  void deployed(String outcome);

  /** A store write lost a race with another writer and is tried again. */
  void storeWriteRetried();

  /** A change another node (or this one) committed at {@code committedAt} was applied here. */
  void changeApplied(Instant committedAt);

  /**
   * Reports, on every read, how many versions are in each state: {@code count} is asked for each of
   * {@code states} (their lower-case names become tag values).
   */
  void watchInstances(Iterable<String> states, ToIntFunction<String> count);

  /** Reports, on every read, how many upgraded connections (WebSockets) are tunnelled to functions now. */
  void watchTunnels(IntSupplier open);

  /** Reports, on every read, how many instances of the function are ready (idempotent). */
  void watchFunction(String function, IntSupplier readyInstances);

  /**
   * Reports, on every read, how many replicas the autoscaler wants for an autoscaled version (0
   * while it is not running); idempotent.
   */
  void watchDesiredReplicas(FunctionRef ref, IntSupplier desired);

  /** The version is gone: drops its series, so that deleted versions leave no meters behind. */
  void versionRemoved(FunctionRef ref);

  /** The function is gone: drops every series that names it. */
  void functionRemoved(String function);

  /**
   * The requests to a version that ended on this node since it started here, and how many of them
   * the client got a 5xx for; null when nothing is measured ({@link #NONE}).
   */
  RequestCounts requestCounts(FunctionRef ref);

  /** Requests that ended, and those of them answered with a 5xx. */
  record RequestCounts(long requests, long errors) {}

  /** The meters of one version's requests. */
  interface Invocations {
    /** A request starts; returns the time to hand to {@link #ended}. */
    long begin();

    /** The request that {@link #begin} returned {@code begun} for ended with {@code status}. */
    void ended(long begun, int status);
  }
}
