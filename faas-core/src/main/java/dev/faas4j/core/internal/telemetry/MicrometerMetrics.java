package dev.faas4j.core.internal.telemetry;

import dev.faas4j.api.FunctionRef;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * {@link Metrics} reported to a Micrometer {@link MeterRegistry}: the only class of faas-core that
 * names Micrometer. Names are Micrometer's (dotted); a Prometheus registry turns them into OpenFaaS's
 * names ({@code gateway.function.invocation} becomes {@code gateway_function_invocation_total}).
 * Durations are read from the registry's clock, so a test's {@code MockClock} drives them.
 */
final class MicrometerMetrics implements Metrics {

  static final String FUNCTION = "function_name";
  static final String VERSION = "version";
  static final String CODE = "code";

  /** Histogram buckets of request durations: Prometheus's default buckets, which OpenFaaS uses too. */
  private static final Duration[] REQUEST_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);
  /** Buckets of start times and of the change feed's lag. */
  private static final Duration[] START_BUCKETS = seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

  private final MeterRegistry registry;
  private final Clock clock;
  private final ConcurrentHashMap<FunctionRef, VersionMeters> versions = new ConcurrentHashMap<>();
  private final Set<String> watchedFunctions = ConcurrentHashMap.newKeySet();
  private final Counter storeWriteRetries;
  private final Timer changeLag;

  MicrometerMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "meterRegistry");
    this.clock = registry.config().clock();
    this.storeWriteRetries = Counter.builder("faas4j.store.write.retries")
        .description("Store writes tried again after losing a race with another writer")
        .register(registry);
    this.changeLag = Timer.builder("faas4j.change.apply.lag")
        .description("Time from a change's commit (on any node) to this node applying it")
        .serviceLevelObjectives(START_BUCKETS)
        .register(registry);
  }

  @Override
  public Invocations invocations(FunctionRef ref) {
    VersionMeters meters = versions.get(ref);
    return meters != null ? meters : versions.computeIfAbsent(ref, VersionMeters::new);
  }

  @Override
  public RequestCounts requestCounts(FunctionRef ref) {
    VersionMeters meters = versions.get(ref);
    if (meters == null) {
      return new RequestCounts(0, 0);
    }
    long requests = 0;
    long errors = 0;
    for (Map.Entry<Integer, ByCode> byCode : meters.byCode.entrySet()) {
      long count = (long) byCode.getValue().count().count();
      requests += count;
      if (byCode.getKey() >= 500) {
        errors += count;
      }
    }
    return new RequestCounts(requests, errors);
  }

  @Override
  public void started(FunctionRef ref, StartCause cause, boolean succeeded, long nanos) {
    Timer.builder("faas4j.instance.starts")
        .description("Starts of function instances, by cause and outcome")
        .tag("cause", cause.tag())
        .tag("outcome", succeeded ? "success" : "failure")
        .serviceLevelObjectives(START_BUCKETS)
        .register(registry)
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void proxyFailed(FunctionRef ref, ProxyFailure kind) {
    Counter.builder("faas4j.proxy.failures")
        .description("Function requests that failed in the proxy, by kind")
        .tag(FUNCTION, ref.name())
        .tag("kind", kind.tag())
        .register(registry)
        .increment();
  }

  @Override
  public void deployed(String outcome) {
    Counter.builder("faas4j.deploys")
        .description("Deploys, by outcome: success, or the reason they were refused")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  @Override
  public void storeWriteRetried() {
    storeWriteRetries.increment();
  }

  @Override
  public void changeApplied(Instant committedAt) {
    long lagMillis = clock.wallTime() - committedAt.toEpochMilli();
    changeLag.record(Math.max(0, lagMillis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void watchInstances(Iterable<String> states, ToIntFunction<String> count) {
    for (String state : states) {
      Gauge.builder("faas4j.instances", () -> count.applyAsInt(state))
          .description("Versions known to this node, by the state of their instance")
          .tag("state", state)
          .strongReference(true)
          .register(registry);
    }
  }

  @Override
  public void watchTunnels(IntSupplier open) {
    Gauge.builder("faas4j.tunnels.open", open::getAsInt)
        .description("Upgraded connections (WebSockets) tunnelled between clients and functions now")
        .strongReference(true)
        .register(registry);
  }

  @Override
  public void watchFunction(String function, IntSupplier readyInstances) {
    if (watchedFunctions.add(function)) {
      Gauge.builder("gateway.service.count", readyInstances::getAsInt)
          .description("Ready instances (replicas of every running version) of the function on this node")
          .tag(FUNCTION, function)
          .strongReference(true)
          .register(registry);
    }
  }

  @Override
  public void watchDesiredReplicas(FunctionRef ref, IntSupplier desired) {
    // Micrometer keeps the first gauge registered under a name and tags, so a second call is a no-op.
    Gauge.builder("gateway.service.desired.replicas", desired::getAsInt)
        .description("Replicas the autoscaler wants for the version on this node (0 while it is not running)")
        .tag(FUNCTION, ref.name())
        .tag(VERSION, ref.version())
        .strongReference(true)
        .register(registry);
  }

  @Override
  public void versionRemoved(FunctionRef ref) {
    VersionMeters meters = versions.remove(ref);
    if (meters != null) {
      meters.removed = true;
    }
    removeMeters(id -> ref.name().equals(id.getTag(FUNCTION)) && ref.version().equals(id.getTag(VERSION)));
  }

  @Override
  public void functionRemoved(String function) {
    versions.values().removeIf(meters -> {
      if (meters.ref.name().equals(function)) {
        meters.removed = true;
        return true;
      }
      return false;
    });
    watchedFunctions.remove(function);
    removeMeters(id -> function.equals(id.getTag(FUNCTION)));
  }

  private void removeMeters(Predicate<Meter.Id> which) {
    for (Meter meter : registry.getMeters()) {
      if (which.test(meter.getId())) {
        registry.remove(meter);
      }
    }
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
    }
    return durations;
  }

  /** One version's request meters: the started count, and a counter and a timer per status code. */
  private final class VersionMeters implements Invocations {
    private final FunctionRef ref;
    private final AtomicLong started = new AtomicLong();
    private final ConcurrentHashMap<Integer, ByCode> byCode = new ConcurrentHashMap<>();
    /** Set when the version is deleted, so that a request ending late registers no meter again. */
    private volatile boolean removed;

    VersionMeters(FunctionRef ref) {
      this.ref = ref;
      // a gauge, not a counter, so that Prometheus sees OpenFaaS's exact name (a counter gains _total)
      Gauge.builder("gateway.function.invocation.started", started, AtomicLong::get)
          .description("Function requests started (only grows)")
          .tag(FUNCTION, ref.name())
          .tag(VERSION, ref.version())
          .register(registry);
    }

    @Override
    public long begin() {
      started.incrementAndGet();
      return clock.monotonicTime();
    }

    @Override
    public void ended(long begun, int status) {
      long nanos = clock.monotonicTime() - begun;
      if (removed) {
        return;
      }
      ByCode meters = byCode.get(status);
      if (meters == null) {
        meters = byCode.computeIfAbsent(status, this::register);
      }
      meters.count.increment();
      meters.time.record(nanos, TimeUnit.NANOSECONDS);
    }

    private ByCode register(int status) {
      String code = Integer.toString(status);
      Counter count = Counter.builder("gateway.function.invocation")
          .description("Function requests ended, by status code")
          .tags(FUNCTION, ref.name(), VERSION, ref.version(), CODE, code)
          .register(registry);
      Timer time = Timer.builder("gateway.functions")
          .description("Time from a function request's arrival to the end of its answer")
          .tags(FUNCTION, ref.name(), VERSION, ref.version(), CODE, code)
          .serviceLevelObjectives(REQUEST_BUCKETS)
          .register(registry);
      return new ByCode(count, time);
    }
  }

  private record ByCode(Counter count, Timer time) {}
}
