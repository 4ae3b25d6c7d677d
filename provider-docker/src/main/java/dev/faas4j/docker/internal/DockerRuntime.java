package dev.faas4j.docker.internal;

import com.github.dockerjava.api.model.Container;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker provider's engine room: which versions are deployed, which containers this
 * instance owns, and scaling each version to a number of ready containers. The engine calls
 * themselves live in {@link Containers}, {@link Images} and {@link ContainerLogs}; noticing
 * deaths in {@link DeathWatch}.
 *
 * <p>Thread-safe. Every container this object creates is recorded in {@link #owned} from the
 * moment it exists until it is removed, so {@link #close()} can remove everything.
 */
public final class DockerRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DockerRuntime.class);

  private final Engine engine;
  private final Images images;
  private final ContainerLogs logs;
  private final Containers containers;
  private final DeathWatch deaths;
  private final Map<FunctionRef, VersionState> versions = new ConcurrentHashMap<>();
  private final Map<String, VersionState> owned = new ConcurrentHashMap<>();
  /** Removes containers replaced by new env values once their drain period is over. */
  private final ScheduledExecutorService drains;
  private volatile boolean closed;

  private DockerRuntime(Engine engine) {
    this.engine = engine;
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "faas4j-docker-drain");
      thread.setDaemon(true);
      return thread;
    });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() removes what they would have
    this.drains = executor;
    this.images = new Images(engine);
    this.logs = new ContainerLogs(engine);
    this.containers = new Containers(engine, logs);
    this.deaths = new DeathWatch(engine, containers, owned::get, versions::values);
  }

  /**
   * Connects to the engine, removes containers an earlier run with the same instance id left
   * behind, and starts watching for container deaths.
   *
   * @throws FaasException with reason {@code UNAVAILABLE} if the engine does not answer
   */
  public static DockerRuntime connect(Settings settings) {
    DockerRuntime runtime = new DockerRuntime(Engine.connect(settings));
    try {
      runtime.removeLeftovers();
      runtime.deaths.start();
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    return runtime;
  }

  public Settings settings() {
    return engine.settings();
  }

  public void deploy(FunctionSpec spec) {
    ensureOpen();
    ContainerSettings container = ContainerSettings.of(spec, engine.settings());
    FunctionRef ref = spec.ref();
    VersionState existing = versions.get(ref);
    if (existing != null) {
      if (existing.spec.sameDefinitionAs(spec)) {
        return;
      }
      throw FaasException.conflict("version " + ref + " is already deployed with a different definition;"
          + " deploy it as a new version");
    }
    images.ensure(spec.image());
    versions.putIfAbsent(ref, new VersionState(spec, container, engine.settings().retainedLogLines()));
  }

  public void scale(FunctionRef ref, int replicas) {
    ensureOpen();
    if (replicas < 0) {
      throw FaasException.invalid("replicas must not be negative, was " + replicas);
    }
    VersionState version = deployed(ref);
    synchronized (version) {
      thaw(version);
      removeDeadAndSurplus(version, replicas);
      int missing = replicas - version.replicas().size();
      if (missing > 0) {
        startMissing(version, replicas, missing);
      }
      version.scaled(replicas);
    }
  }

  /**
   * Makes {@code next} the version's definition ({@code next} differs in its env only). If
   * containers are ready, as many new ones start with the new env and, once all are ready, take
   * their place; the replaced ones are removed after the drain period. A version with no ready
   * container starts with the new env next time. If a new container cannot start, the old ones go
   * on serving with the old env and this throws {@code UNAVAILABLE}.
   */
  public void updateEnv(FunctionSpec next) {
    ensureOpen();
    VersionState version = deployed(next.ref());
    synchronized (version) {
      FunctionSpec previous = version.spec;
      if (!new FunctionSpec(previous.name(), previous.version(), previous.runtime(), previous.code(),
          previous.image(), next.env(), previous.labels(), previous.limits(), previous.network(),
          previous.options(), previous.scaling()).sameDefinitionAs(next)) {
        throw FaasException.invalid("updateEnv may change the env of " + next.ref() + ", nothing else");
      }
      thaw(version); // a paused container would go on holding the old values
      List<Replica> replaced = version.replicas();
      version.spec = next;
      if (replaced.isEmpty()) {
        return;
      }
      List<Replica> started = new ArrayList<>();
      try {
        startContainers(version, replaced.size(), started::add);
      } catch (RuntimeException e) {
        started.forEach(ready -> removeContainer(version, ready.containerId()));
        version.spec = previous;
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "could not start " + next.ref()
            + " with its new env; its containers go on serving with the old one: " + e.getMessage(), e);
      }
      started.forEach(version::add);
      for (Replica old : replaced) {
        version.remove(old.containerId());
      }
      LOG.info("{} serves with new env values; {} replaced container(s) are removed in {}", next.ref(),
          replaced.size(), engine.settings().drainPeriod());
      Runnable drain = () -> replaced.forEach(old -> {
        if (owned.containsKey(old.containerId())) {
          removeContainer(version, old.containerId());
        }
      });
      try {
        drains.schedule(drain, engine.settings().drainPeriod().toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        drain.run(); // close() began meanwhile; no drain period is left to wait for
      }
    }
  }

  /**
   * Starts {@code count} containers from the version's current spec and hands each to {@code
   * onReady} once it answers. If one fails, those not handed over yet are removed and the failure
   * is rethrown.
   */
  private void startContainers(VersionState version, int count, Consumer<Replica> onReady) {
    List<String> pending = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        pending.add(createAndStart(version));
      }
      Instant deadline = Instant.now().plus(engine.settings().startTimeout());
      while (!pending.isEmpty()) {
        onReady.accept(containers.awaitReady(version, pending.get(0), deadline));
        pending.remove(0);
      }
    } catch (RuntimeException e) {
      for (String containerId : pending) {
        removeContainer(version, containerId);
      }
      throw e;
    }
  }

  /**
   * Removes containers the watcher saw die (no longer ready, but still there so their logs stay
   * readable until now), ready ones the engine no longer runs, and those beyond {@code replicas}.
   */
  private void removeDeadAndSurplus(VersionState version, int replicas) {
    Set<String> readyIds = version.replicas().stream().map(Replica::containerId).collect(Collectors.toSet());
    for (Map.Entry<String, VersionState> entry : new ArrayList<>(owned.entrySet())) {
      if (entry.getValue() == version && !readyIds.contains(entry.getKey())) {
        removeContainer(version, entry.getKey());
      }
    }
    for (Replica replica : version.replicas()) {
      if (!containers.isRunning(replica.containerId())) {
        version.remove(replica.containerId());
        removeContainer(version, replica.containerId());
      }
    }
    List<Replica> current = version.replicas();
    for (int i = current.size() - 1; i >= replicas; i--) {
      version.remove(current.get(i).containerId());
      removeContainer(version, current.get(i).containerId());
    }
  }

  private void startMissing(VersionState version, int replicas, int missing) {
    version.starting(replicas);
    try {
      startContainers(version, missing, version::add); // the ready ones stay if a later one fails
    } catch (RuntimeException e) {
      FaasException failure = e instanceof FaasException faas ? faas : new FaasException(
          FaasException.Reason.UNAVAILABLE, "cannot start " + version.spec.ref() + ": " + Engine.rootMessage(e), e);
      version.failed(replicas, failure.getMessage());
      throw failure;
    }
  }

  private String createAndStart(VersionState version) {
    String containerId = containers.create(version);
    owned.put(containerId, version);
    if (closed) {
      removeContainer(version, containerId);
      throw new FaasException(FaasException.Reason.UNAVAILABLE,
          "the docker provider was closed while starting " + version.spec.ref());
    }
    containers.start(version.spec.ref(), containerId);
    return containerId;
  }

  /** Pauses every ready container of the version; idempotent. */
  public void freeze(FunctionRef ref) {
    ensureOpen();
    VersionState version = deployed(ref);
    synchronized (version) {
      if (version.isFrozen() || version.replicas().isEmpty()) {
        return;
      }
      long bytes = 0;
      for (Replica replica : version.replicas()) {
        bytes += containers.memoryUsage(replica.containerId());
        containers.pause(replica.containerId());
      }
      version.frozen(bytes);
    }
  }

  /** Unpauses the version's containers if it is frozen. */
  public void thaw(FunctionRef ref) {
    ensureOpen();
    VersionState version = deployed(ref);
    synchronized (version) {
      thaw(version);
    }
  }

  private void thaw(VersionState version) {
    if (!version.isFrozen()) {
      return;
    }
    for (Replica replica : version.replicas()) {
      if (containers.isRunning(replica.containerId())) {
        containers.unpause(replica.containerId());
      }
    }
    version.frozen(-1);
  }

  public long frozenMemoryBytes(FunctionRef ref) {
    VersionState version = versions.get(ref);
    return version == null ? 0 : version.frozenBytes();
  }

  private VersionState deployed(FunctionRef ref) {
    VersionState version = versions.get(ref);
    if (version == null) {
      throw FaasException.notFound("version " + ref + " is not deployed on the docker provider: deploy it first");
    }
    return version;
  }

  public void undeploy(FunctionRef ref) {
    VersionState version = versions.remove(ref);
    if (version == null) {
      return;
    }
    thawQuietly(version);
    for (Replica replica : version.replicas()) {
      version.remove(replica.containerId());
    }
    for (Map.Entry<String, VersionState> entry : new ArrayList<>(owned.entrySet())) {
      if (entry.getValue() == version) {
        removeContainer(version, entry.getKey());
      }
    }
  }

  public VersionStatus status(FunctionRef ref) {
    VersionState version = versions.get(ref);
    return version == null ? VersionStatus.stopped(ref) : version.status();
  }

  public Optional<Endpoint> endpoint(FunctionRef ref) {
    VersionState version = versions.get(ref);
    return version == null ? Optional.empty() : version.endpoint();
  }

  /** The endpoint of every ready container of the version, in the order they became ready. */
  public List<Endpoint> endpoints(FunctionRef ref) {
    VersionState version = versions.get(ref);
    return version == null ? List.of() : version.replicas().stream().<Endpoint>map(Replica::endpoint).toList();
  }

  public List<String> logs(FunctionRef ref, int maxLines) {
    VersionState version = versions.get(ref);
    if (version == null || maxLines <= 0 || closed) {
      return List.of();
    }
    List<LogLine> lines = new ArrayList<>(version.retained());
    for (Map.Entry<String, VersionState> entry : owned.entrySet()) {
      if (entry.getValue() == version) {
        lines.addAll(logs.read(entry.getKey(), maxLines));
      }
    }
    Collections.sort(lines);
    List<LogLine> last = lines.subList(Math.max(0, lines.size() - maxLines), lines.size());
    return last.stream().map(LogLine::text).toList();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    finishDrains();
    deaths.close();
    for (VersionState version : versions.values()) {
      thawQuietly(version);
      for (Replica replica : version.replicas()) {
        version.remove(replica.containerId());
      }
    }
    for (String containerId : new ArrayList<>(owned.keySet())) {
      removeContainer(owned.get(containerId), containerId);
    }
    versions.clear();
    engine.close();
  }

  /**
   * Drops drains still waiting for their period (their containers are among those close removes)
   * and waits for one that is removing a container now. Interrupting it instead would abort the
   * engine call halfway and leave that container running, no longer recorded as owned.
   */
  private void finishDrains() {
    drains.shutdown();
    Duration patience = engine.settings().stopTimeout().plusSeconds(30);
    try {
      if (!drains.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("a container replaced by new env values was still being removed after {}; closing anyway", patience);
        drains.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drains.shutdownNow();
    }
  }

  /** Unpauses a frozen version's containers before they are removed; never throws. */
  private void thawQuietly(VersionState version) {
    try {
      thaw(version);
    } catch (RuntimeException e) {
      LOG.debug("unpausing {} before its removal: {}", version.spec.ref(), e.getMessage());
    }
  }

  /** Forgets a container and removes it from the engine, keeping its last log lines; never throws. */
  private void removeContainer(VersionState version, String containerId) {
    owned.remove(containerId);
    containers.remove(version, containerId);
  }

  private void removeLeftovers() {
    for (Container leftover : containers.listOwned(true)) {
      LOG.info("removing container {} left behind by an earlier run of instance {}", leftover.getId(),
          engine.settings().instanceId());
      containers.remove(null, leftover.getId());
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "the docker provider is closed");
    }
  }
}
