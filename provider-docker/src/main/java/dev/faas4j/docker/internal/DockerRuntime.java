package dev.faas4j.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.VersionStatus;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Docker provider's engine: talks to the Docker Engine API, owns the containers it creates
 * and watches them die.
 *
 * <p>Thread-safe. Every container this object creates is recorded in {@link #owned} from the
 * moment it exists until it is removed, so {@link #close()} can remove everything.
 */
public final class DockerRuntime implements AutoCloseable {

  /** Label set to {@code true} on every container faas4j manages. */
  public static final String LABEL_MANAGED = "dev.faas4j.managed";
  /** Label holding the provider's instance id. */
  public static final String LABEL_OWNER = "dev.faas4j.owner";
  /** Label holding the function's canonical name. */
  public static final String LABEL_FUNCTION = "dev.faas4j.function";
  /** Label holding the version. */
  public static final String LABEL_VERSION = "dev.faas4j.version";

  private static final Logger LOG = LoggerFactory.getLogger(DockerRuntime.class);
  private static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);
  private static final Duration ENGINE_CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final int FAILURE_LOG_LINES = 20;

  private final Settings settings;
  private final DockerClient client;
  private final Map<FunctionRef, VersionState> versions = new ConcurrentHashMap<>();
  private final Map<String, VersionState> owned = new ConcurrentHashMap<>();
  private final ScheduledExecutorService watcher;
  private volatile ResultCallback.Adapter<Event> events;
  private volatile boolean closed;

  private DockerRuntime(Settings settings, DockerClient client) {
    this.settings = settings;
    this.client = client;
    this.watcher = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "faas4j-docker-watch-" + settings.instanceId());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Connects to the engine, removes containers an earlier run with the same instance id left
   * behind, and starts watching for container deaths.
   *
   * @throws FaasException with reason {@code UNAVAILABLE} if the engine does not answer
   */
  public static DockerRuntime connect(Settings settings) {
    DockerClient client;
    try {
      DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
          .withDockerHost(settings.dockerHost())
          .build();
      ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
          .dockerHost(config.getDockerHost())
          .sslConfig(config.getSSLConfig())
          .maxConnections(64)
          .connectionTimeout(Duration.ofSeconds(10))
          .build();
      client = DockerClientImpl.getInstance(config, http);
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "cannot configure a Docker client for "
          + settings.dockerHost() + ": " + e.getMessage(), e);
    }
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      closeQuietly(client);
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "Docker engine not reachable at "
          + settings.dockerHost() + " (" + rootMessage(e) + "): start dockerd, or point DOCKER_HOST or"
          + " DockerProvider.builder().dockerHost(...) at a running engine", e);
    }
    DockerRuntime runtime = new DockerRuntime(settings, client);
    try {
      runtime.removeLeftovers();
      runtime.watchEvents();
      runtime.watcher.scheduleWithFixedDelay(runtime::watch, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    return runtime;
  }

  public Settings settings() {
    return settings;
  }

  // ---------------------------------------------------------------------------------- lifecycle

  public void deploy(FunctionSpec spec) {
    ensureOpen();
    ContainerSettings container = ContainerSettings.of(spec, settings);
    FunctionRef ref = spec.ref();
    VersionState existing = versions.get(ref);
    if (existing != null) {
      if (existing.spec.sameDefinitionAs(spec)) {
        return;
      }
      throw FaasException.conflict("version " + ref + " is already deployed with a different definition;"
          + " deploy it as a new version");
    }
    ensureImage(spec.image());
    versions.putIfAbsent(ref, new VersionState(spec, container, settings.retainedLogLines()));
  }

  public void scale(FunctionRef ref, int replicas) {
    ensureOpen();
    if (replicas < 0) {
      throw FaasException.invalid("replicas must not be negative, was " + replicas);
    }
    VersionState version = versions.get(ref);
    if (version == null) {
      throw FaasException.notFound("version " + ref + " is not deployed on the docker provider: deploy it first");
    }
    // Containers the watcher saw die are no longer ready but still exist (their logs stay
    // readable until now): remove them, and any ready one the engine no longer runs.
    Set<String> readyIds = version.replicas().stream().map(Replica::containerId).collect(Collectors.toSet());
    for (Map.Entry<String, VersionState> entry : new ArrayList<>(owned.entrySet())) {
      if (entry.getValue() == version && !readyIds.contains(entry.getKey())) {
        removeContainer(version, entry.getKey());
      }
    }
    for (Replica replica : version.replicas()) {
      if (!isRunning(replica.containerId())) {
        version.remove(replica.containerId());
        removeContainer(version, replica.containerId());
      }
    }
    List<Replica> current = version.replicas();
    for (int i = current.size() - 1; i >= replicas; i--) {
      version.remove(current.get(i).containerId());
      removeContainer(version, current.get(i).containerId());
    }
    int missing = replicas - version.replicas().size();
    if (missing > 0) {
      version.starting(replicas);
      List<String> pending = new ArrayList<>();
      try {
        for (int i = 0; i < missing; i++) {
          pending.add(createAndStart(version));
        }
        Instant deadline = Instant.now().plus(settings.startTimeout());
        for (String containerId : pending) {
          version.add(awaitReady(version, containerId, deadline));
        }
      } catch (RuntimeException e) {
        Set<String> ready = version.replicas().stream().map(Replica::containerId).collect(Collectors.toSet());
        for (String containerId : pending) {
          if (!ready.contains(containerId)) {
            removeContainer(version, containerId);
          }
        }
        FaasException failure = e instanceof FaasException faas ? faas
            : new FaasException(FaasException.Reason.UNAVAILABLE, "cannot start " + ref + ": " + rootMessage(e), e);
        version.failed(replicas, failure.getMessage());
        throw failure;
      }
    }
    version.scaled(replicas);
  }

  public void undeploy(FunctionRef ref) {
    VersionState version = versions.remove(ref);
    if (version == null) {
      return;
    }
    for (Replica replica : version.replicas()) {
      version.remove(replica.containerId());
    }
    removeAllOf(version);
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
        lines.addAll(readLogs(entry.getKey(), maxLines));
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
    watcher.shutdownNow();
    ResultCallback.Adapter<Event> stream = events;
    if (stream != null) {
      closeQuietly(stream);
    }
    for (VersionState version : versions.values()) {
      for (Replica replica : version.replicas()) {
        version.remove(replica.containerId());
      }
    }
    for (String containerId : new ArrayList<>(owned.keySet())) {
      removeContainer(owned.get(containerId), containerId);
    }
    versions.clear();
    try {
      watcher.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(client);
  }

  // ------------------------------------------------------------------------------------ images

  private void ensureImage(String image) {
    try {
      client.inspectImageCmd(image).exec();
      return;
    } catch (NotFoundException e) {
      if (!settings.pullMissingImages()) {
        throw new FaasException(FaasException.Reason.INVALID_FUNCTION, "image '" + image + "' is not on the Docker"
            + " engine at " + settings.dockerHost() + " (pulling is off): build or load it there"
            + " (docker build / docker load), or fix the image name");
      }
    } catch (RuntimeException e) {
      throw engineFailure("inspect image '" + image + "'", e);
    }
    try {
      String repository = image;
      String tag = null;
      if (!image.contains("@")) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon > slash) {
          repository = image.substring(0, colon);
          tag = image.substring(colon + 1);
        } else {
          tag = "latest";
        }
      }
      var pull = client.pullImageCmd(repository);
      if (tag != null) {
        pull = pull.withTag(tag);
      }
      boolean done = pull.exec(new PullImageResultCallback()).awaitCompletion(10, TimeUnit.MINUTES);
      if (!done) {
        throw new IllegalStateException("the pull did not finish within 10 minutes");
      }
      client.inspectImageCmd(image).exec();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "interrupted while pulling image '" + image + "'", e);
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.INVALID_FUNCTION, "image '" + image + "' is not on the Docker"
          + " engine and could not be pulled (" + rootMessage(e) + "): build or load it there"
          + " (docker build / docker load), or fix the image name", e);
    }
  }

  // -------------------------------------------------------------------------------- containers

  private String createAndStart(VersionState version) {
    FunctionSpec spec = version.spec;
    FunctionRef ref = spec.ref();
    ExposedPort port = ExposedPort.tcp(version.container.port());
    Ports ports = new Ports();
    ports.bind(port, Ports.Binding.bindIp("127.0.0.1"));
    HostConfig host = HostConfig.newHostConfig().withPortBindings(ports);
    Limits limits = spec.limits();
    if (limits.memoryBytes() > 0) {
      host = host.withMemory(limits.memoryBytes());
    }
    if (limits.cpus() > 0) {
      host = host.withNanoCPUs(Math.max(1L, Math.round(limits.cpus() * 1e9)));
    }
    if (limits.pids() > 0) {
      host = host.withPidsLimit((long) limits.pids());
    }
    Map<String, String> labels = new LinkedHashMap<>(spec.labels());
    labels.put(LABEL_MANAGED, "true");
    labels.put(LABEL_OWNER, settings.instanceId());
    labels.put(LABEL_FUNCTION, ref.name());
    labels.put(LABEL_VERSION, ref.version());
    List<String> env = spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    String name = "faas4j-" + ref.name() + "-" + ref.version() + "-" + UUID.randomUUID().toString().substring(0, 8);
    CreateContainerResponse created;
    try {
      created = client.createContainerCmd(spec.image())
          .withName(name)
          .withLabels(labels)
          .withEnv(env)
          .withExposedPorts(port)
          .withHostConfig(host)
          .exec();
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "cannot create a container for " + ref
          + " from image '" + spec.image() + "': " + rootMessage(e), e);
    }
    String containerId = created.getId();
    owned.put(containerId, version);
    if (closed) {
      removeContainer(version, containerId);
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "the docker provider was closed while starting " + ref);
    }
    try {
      client.startContainerCmd(containerId).exec();
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + name + " of " + ref
          + " did not start: " + rootMessage(e), e);
    }
    LOG.debug("started container {} ({}) for {}", name, containerId, ref);
    return containerId;
  }

  private Replica awaitReady(VersionState version, String containerId, Instant deadline) {
    FunctionRef ref = version.spec.ref();
    int hostPort = -1;
    String name = containerId;
    while (true) {
      InspectContainerResponse info;
      try {
        info = client.inspectContainerCmd(containerId).exec();
      } catch (NotFoundException e) {
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + containerId + " of " + ref
            + " disappeared while starting (removed by someone else?)");
      } catch (RuntimeException e) {
        throw engineFailure("inspect container " + containerId, e);
      }
      name = info.getName() == null ? containerId : info.getName().replaceFirst("^/", "");
      InspectContainerResponse.ContainerState state = info.getState();
      if (state == null || !Boolean.TRUE.equals(state.getRunning())) {
        Long exitCode = state == null ? null : state.getExitCodeLong();
        boolean oom = state != null && Boolean.TRUE.equals(state.getOOMKilled());
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + name + " of " + ref
            + " exited with code " + exitCode + " during start"
            + (oom ? " (killed for exceeding its memory limit)" : "") + lastLines(containerId));
      }
      if (hostPort < 0) {
        hostPort = publishedPort(info, version.container.port());
      }
      if (hostPort > 0 && answers(hostPort, version.container.healthPath())) {
        return new Replica(containerId, name, Endpoint.Http.loopback(hostPort));
      }
      if (Instant.now().isAfter(deadline)) {
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + name + " of " + ref
            + " did not answer GET " + version.container.healthPath() + " on port " + version.container.port()
            + " within " + settings.startTimeout().toSeconds() + " s (check the 'port' and 'health-path' options,"
            + " or raise the start timeout)" + lastLines(containerId));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "interrupted while starting " + ref, e);
      }
    }
  }

  private static int publishedPort(InspectContainerResponse info, int containerPort) {
    if (info.getNetworkSettings() == null || info.getNetworkSettings().getPorts() == null) {
      return -1;
    }
    Ports.Binding[] bindings = info.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(containerPort));
    if (bindings == null) {
      return -1;
    }
    for (Ports.Binding binding : bindings) {
      try {
        return Integer.parseInt(binding.getHostPortSpec());
      } catch (NumberFormatException e) {
        // try the next binding
      }
    }
    return -1;
  }

  /** Whether GET {@code path} on the published port answers with a status below 500. */
  private static boolean answers(int hostPort, String path) {
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + hostPort + path).toURL().openConnection();
      connection.setConnectTimeout(1000);
      connection.setReadTimeout(2000);
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      int status = connection.getResponseCode();
      return status > 0 && status < 500;
    } catch (IOException e) {
      return false;
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private boolean isRunning(String containerId) {
    try {
      InspectContainerResponse info = client.inspectContainerCmd(containerId).exec();
      return info.getState() != null && Boolean.TRUE.equals(info.getState().getRunning());
    } catch (NotFoundException e) {
      return false;
    } catch (RuntimeException e) {
      throw engineFailure("inspect container " + containerId, e);
    }
  }

  private void removeAllOf(VersionState version) {
    for (Map.Entry<String, VersionState> entry : new ArrayList<>(owned.entrySet())) {
      if (entry.getValue() == version) {
        removeContainer(version, entry.getKey());
      }
    }
  }

  /** Stops and removes a container, keeping its last log lines; never throws. */
  private void removeContainer(VersionState version, String containerId) {
    owned.remove(containerId);
    try {
      if (version != null && settings.retainedLogLines() > 0) {
        version.retain(readLogs(containerId, settings.retainedLogLines()));
      }
      long stopSeconds = settings.stopTimeout().toSeconds();
      if (stopSeconds > 0) {
        try {
          client.stopContainerCmd(containerId).withTimeout((int) Math.min(stopSeconds, Integer.MAX_VALUE)).exec();
        } catch (RuntimeException e) {
          LOG.debug("stopping container {}: {}", containerId, e.getMessage());
        }
      }
      client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (RuntimeException e) {
      LOG.warn("could not remove container {}: {}; remove it with `docker rm -f {}`", containerId,
          rootMessage(e), containerId);
    }
  }

  private void removeLeftovers() {
    List<Container> leftovers;
    try {
      leftovers = client.listContainersCmd()
          .withShowAll(true)
          .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_OWNER, settings.instanceId()))
          .exec();
    } catch (RuntimeException e) {
      throw engineFailure("list containers", e);
    }
    for (Container leftover : leftovers) {
      LOG.info("removing container {} left behind by an earlier run of instance {}", leftover.getId(),
          settings.instanceId());
      removeContainer(null, leftover.getId());
    }
  }

  // ------------------------------------------------------------------------------------- logs

  private String lastLines(String containerId) {
    List<LogLine> lines = readLogs(containerId, FAILURE_LOG_LINES);
    if (lines.isEmpty()) {
      return "; it wrote no output";
    }
    return "; last output:\n" + lines.stream().map(LogLine::text).collect(Collectors.joining("\n"));
  }

  /** The last lines of a container's stdout and stderr, with timestamps; empty if unavailable. */
  private List<LogLine> readLogs(String containerId, int tail) {
    Map<StreamType, StringBuilder> partial = new EnumMap<>(StreamType.class);
    List<LogLine> lines = Collections.synchronizedList(new ArrayList<>());
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        StringBuilder buffer = partial.computeIfAbsent(frame.getStreamType(), t -> new StringBuilder());
        buffer.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        int newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          lines.add(LogLine.parse(stripCarriageReturn(buffer.substring(0, newline))));
          buffer.delete(0, newline + 1);
        }
      }
    };
    try {
      client.logContainerCmd(containerId)
          .withStdOut(true)
          .withStdErr(true)
          .withTimestamps(true)
          .withTail(tail)
          .exec(callback)
          .awaitCompletion(ENGINE_CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("could not read logs of container {}: {}", containerId, e.getMessage());
    } finally {
      closeQuietly(callback);
    }
    for (StringBuilder rest : partial.values()) {
      if (rest.length() > 0) {
        lines.add(LogLine.parse(stripCarriageReturn(rest.toString())));
      }
    }
    List<LogLine> sorted = new ArrayList<>(lines);
    Collections.sort(sorted);
    return sorted.subList(Math.max(0, sorted.size() - tail), sorted.size());
  }

  private static String stripCarriageReturn(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  // ---------------------------------------------------------------------------------- watching

  /** Subscribes to the engine's "die" events for this instance's containers. */
  private void watchEvents() {
    ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event event) {
        String containerId = event.getActor() != null && event.getActor().getId() != null
            ? event.getActor().getId() : event.getId();
        if (containerId == null) {
          return;
        }
        VersionState version = owned.get(containerId);
        if (version != null) {
          String exitCode = event.getActor() != null && event.getActor().getAttributes() != null
              ? event.getActor().getAttributes().getOrDefault("exitCode", "?") : "?";
          version.died(containerId, exitCode);
          LOG.info("container {} of {} exited with code {}", containerId, version.spec.ref(), exitCode);
        }
      }

      @Override
      public void onError(Throwable throwable) {
        if (!closed) {
          LOG.debug("Docker event stream ended: {}", throwable.toString());
        }
        streamEnded(this);
      }

      @Override
      public void onComplete() {
        streamEnded(this);
      }
    };
    events = callback;
    client.eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withEventFilter("die")
        .withLabelFilter(Map.of(LABEL_OWNER, settings.instanceId()))
        .exec(callback);
  }

  private synchronized void streamEnded(ResultCallback.Adapter<Event> stream) {
    if (events == stream) {
      events = null;
    }
  }

  /**
   * The periodic check: reopens the event stream if it ended, and marks as dead every ready
   * replica the engine no longer runs (in case an event was missed).
   */
  private void watch() {
    if (closed) {
      return;
    }
    try {
      synchronized (this) {
        if (events == null && !closed) {
          watchEvents();
        }
      }
      Map<String, VersionState> readyBefore = new LinkedHashMap<>();
      for (VersionState version : versions.values()) {
        for (Replica replica : version.replicas()) {
          readyBefore.put(replica.containerId(), version);
        }
      }
      if (readyBefore.isEmpty()) {
        return;
      }
      Set<String> running = new HashSet<>();
      for (Container container : client.listContainersCmd()
          .withLabelFilter(Map.of(LABEL_OWNER, settings.instanceId()))
          .exec()) {
        running.add(container.getId());
      }
      readyBefore.forEach((containerId, version) -> {
        if (!running.contains(containerId)) {
          version.died(containerId, "?");
        }
      });
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.debug("Docker watch failed: {}", e.toString());
      }
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  private void ensureOpen() {
    if (closed) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "the docker provider is closed");
    }
  }

  private FaasException engineFailure(String what, RuntimeException e) {
    return new FaasException(FaasException.Reason.UNAVAILABLE, "Docker engine at " + settings.dockerHost()
        + " failed to " + what + ": " + rootMessage(e), e);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.strip();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing {}: {}", closeable, e.toString());
    }
  }
}
