package dev.faas4j.docker;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.EnvUpdates;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.Freezing;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.docker.internal.DockerRuntime;
import dev.faas4j.docker.internal.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Runs function versions as containers on a Docker engine, in the OpenFaaS style: a version is a
 * container image that serves HTTP on a known port, and each replica is one container.
 *
 * <h2>Functions</h2>
 * A version's {@link FunctionSpec#runtime() runtime} is {@code "docker"} and its
 * {@link FunctionSpec#image() image} names an image ({@code name:tag}); {@code code} must be
 * absent. Env vars and labels are passed to the container; {@link dev.faas4j.api.Limits} map to
 * the container's memory limit, nano-CPUs and pids limit. Options (all optional):
 * <ul>
 *   <li>{@code port}: the container port the image serves HTTP on (default
 *       {@link Builder#defaultPort(int)}, 8080);
 *   <li>{@code health-path}: the path probed for readiness (default
 *       {@link Builder#healthPath(String)}, {@code /}).
 * </ul>
 * A {@link dev.faas4j.api.NetworkPolicy} is refused: this provider cannot enforce one, and
 * containers use the engine's default bridge network.
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link #deploy} checks the image exists locally, pulling it if allowed; it starts no
 *       container. A missing image is {@code INVALID_FUNCTION} and leaves nothing behind.
 *   <li>{@link #scale} with N creates or removes containers until N are ready. Each container
 *       publishes its port on an ephemeral port of {@code 127.0.0.1}; it is ready when an HTTP
 *       GET of the health path answers with a status below 500 within the
 *       {@linkplain Builder#startTimeout(Duration) start timeout}. A container that exits while
 *       starting fails the call with {@code UNAVAILABLE}, its exit code and last log lines.
 *       Scaling to 0 stops and <em>removes</em> every container of the version; the next
 *       scale-up creates new ones from the image.
 *   <li>Container deaths are noticed through the engine's event stream (and a periodic check),
 *       so {@link #endpoint} stops returning a dead container and the next {@link #scale}
 *       replaces it. {@link #endpoint} makes no Docker call: it round-robins over the ready
 *       replicas held in memory.
 * </ul>
 *
 * <h2>Labels and clean-up</h2>
 * Every container carries the labels {@code dev.faas4j.managed=true},
 * {@code dev.faas4j.owner=<instance id>}, {@code dev.faas4j.function} and
 * {@code dev.faas4j.version}. On construction the provider removes every managed container
 * whose owner is its own instance id: a gateway that restarts with the same
 * {@linkplain Builder#instanceId(String) instance id} removes what a crashed run left behind.
 * {@link #close()} removes every container this provider started.
 *
 * <h2>Freezing</h2>
 * {@link #freeze} pauses a version's containers with the Engine API ({@code POST
 * /containers/{id}/pause}: the cgroup freezer), {@link #thaw} unpauses them; a paused container
 * keeps its memory and its published port. Its memory is the engine's {@code memory_stats.usage}
 * when it was paused. Scaling or removing a frozen version unpauses it first.
 *
 * <h2>New env values</h2>
 * {@link #updateEnv} (a secret was set or deleted) starts as many containers with the new env as
 * the version has ready, and once they are all ready makes them the version's endpoints; the
 * replaced containers serve the requests they were given for the {@linkplain
 * Builder#drainPeriod(Duration) drain period} and are then removed. A version with no container
 * running just starts with the new env next time. If a new container cannot start, the old ones
 * keep serving and the call fails with {@code UNAVAILABLE}.
 *
 * <h2>Networking</h2>
 * The provider reaches containers through ports published on {@code 127.0.0.1}, so it must run
 * on the Docker host itself (not inside another container on it).
 *
 * <p>Thread-safe. Methods throw {@link FaasException} with the reasons documented on
 * {@link FunctionProvider}; Docker engine failures surface as {@code UNAVAILABLE} or
 * {@code INTERNAL} with the engine's message.
 */
public final class DockerProvider implements FunctionProvider, FunctionLogs, Freezing, EnvUpdates {

  /** The runtime name this provider serves. */
  public static final String RUNTIME = "docker";

  private final DockerRuntime runtime;

  private DockerProvider(Settings settings) {
    this.runtime = DockerRuntime.connect(settings);
  }

  /** Starts a builder with the defaults described on each of its methods. */
  public static Builder builder() {
    return new Builder();
  }

  /** The instance id written into the {@code dev.faas4j.owner} label of every container. */
  public String instanceId() {
    return runtime.settings().instanceId();
  }

  /** The Docker host this provider talks to, e.g. {@code unix:///var/run/docker.sock}. */
  public String dockerHost() {
    return runtime.settings().dockerHost();
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public Set<String> runtimes() {
    return Set.of(RUNTIME);
  }

  @Override
  public void deploy(FunctionSpec spec) {
    runtime.deploy(Objects.requireNonNull(spec, "spec"));
  }

  @Override
  public void scale(FunctionRef ref, int replicas) {
    runtime.scale(Objects.requireNonNull(ref, "ref"), replicas);
  }

  @Override
  public void undeploy(FunctionRef ref) {
    runtime.undeploy(Objects.requireNonNull(ref, "ref"));
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    return runtime.status(Objects.requireNonNull(ref, "ref"));
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    return runtime.endpoint(Objects.requireNonNull(ref, "ref"));
  }

  /** The endpoint of every ready container (replica) of the version; faas-core spreads requests over them. */
  @Override
  public List<Endpoint> endpoints(FunctionRef ref) {
    return runtime.endpoints(Objects.requireNonNull(ref, "ref"));
  }

  /** Pauses every container of the version ({@code docker pause}). */
  @Override
  public void freeze(FunctionRef ref) {
    runtime.freeze(Objects.requireNonNull(ref, "ref"));
  }

  /** Unpauses every paused container of the version ({@code docker unpause}). */
  @Override
  public void thaw(FunctionRef ref) {
    runtime.thaw(Objects.requireNonNull(ref, "ref"));
  }

  @Override
  public long frozenMemoryBytes(FunctionRef ref) {
    return runtime.frozenMemoryBytes(Objects.requireNonNull(ref, "ref"));
  }

  /** Runs the version's containers with new env values; see "New env values" above. */
  @Override
  public void updateEnv(FunctionSpec spec) {
    runtime.updateEnv(Objects.requireNonNull(spec, "spec"));
  }

  /**
   * The last lines the version's containers wrote to stdout and stderr, oldest first, including
   * the last lines of containers that were removed while this provider ran (up to
   * {@link Builder#retainedLogLines(int)} per version).
   */
  @Override
  public List<String> logs(FunctionRef ref, int maxLines) {
    return runtime.logs(Objects.requireNonNull(ref, "ref"), maxLines);
  }

  /** Removes every container this provider started and closes the Docker client. Idempotent. */
  @Override
  public void close() {
    runtime.close();
  }

  /**
   * Configures a {@link DockerProvider}. Not thread-safe. Each setter validates its argument and
   * throws {@link IllegalArgumentException} at once, and refuses to set an option twice;
   * {@link #build()} connects to the engine.
   */
  public static final class Builder {
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private String dockerHost;
    private String instanceId;
    private Duration startTimeout;
    private Duration stopTimeout;
    private Integer defaultPort;
    private String healthPath;
    private Boolean pullMissingImages;
    private Integer retainedLogLines;
    private Duration drainPeriod;

    private Builder() {}

    private static void once(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /**
     * The Docker engine: {@code unix:///path/docker.sock} or {@code tcp://host:port}. Default:
     * the {@code DOCKER_HOST} environment variable, else {@code unix:///var/run/docker.sock}.
     * TLS settings ({@code DOCKER_TLS_VERIFY}, {@code DOCKER_CERT_PATH}) are read from the
     * environment.
     */
    public Builder dockerHost(String dockerHost) {
      once(this.dockerHost, "dockerHost");
      Objects.requireNonNull(dockerHost, "dockerHost");
      if (!dockerHost.startsWith("unix://") && !dockerHost.startsWith("tcp://")) {
        throw new IllegalArgumentException("dockerHost must start with unix:// or tcp://, was " + dockerHost);
      }
      this.dockerHost = dockerHost;
      return this;
    }

    /**
     * The owner id written into every container's {@code dev.faas4j.owner} label; containers
     * already labelled with it are removed when the provider is built. Give a gateway a stable
     * id so that it cleans up after a crash; letters, digits, {@code _ . -}, at most 63
     * characters. Default: a random id (nothing to clean up).
     */
    public Builder instanceId(String instanceId) {
      once(this.instanceId, "instanceId");
      Objects.requireNonNull(instanceId, "instanceId");
      if (!INSTANCE_ID.matcher(instanceId).matches()) {
        throw new IllegalArgumentException("instanceId '" + instanceId + "' is not valid: use letters, digits,"
            + " '_', '.' and '-', at most 63 characters, starting with a letter or digit");
      }
      this.instanceId = instanceId;
      return this;
    }

    /** How long a container may take to answer its health path after start. Default 60 s. */
    public Builder startTimeout(Duration startTimeout) {
      once(this.startTimeout, "startTimeout");
      if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, was " + startTimeout);
      }
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * How long a container gets to exit after SIGTERM before it is killed, when it is scaled
     * down or the provider closes. Zero kills at once. Default 10 s.
     */
    public Builder stopTimeout(Duration stopTimeout) {
      once(this.stopTimeout, "stopTimeout");
      if (stopTimeout == null || stopTimeout.isNegative()) {
        throw new IllegalArgumentException("stopTimeout must be zero or positive, was " + stopTimeout);
      }
      this.stopTimeout = stopTimeout;
      return this;
    }

    /** The container port used when a spec has no {@code port} option. Default 8080. */
    public Builder defaultPort(int port) {
      once(this.defaultPort, "defaultPort");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("defaultPort must be 1-65535, was " + port);
      }
      this.defaultPort = port;
      return this;
    }

    /** The readiness path used when a spec has no {@code health-path} option. Default {@code /}. */
    public Builder healthPath(String healthPath) {
      once(this.healthPath, "healthPath");
      this.healthPath = Settings.requireHealthPath(healthPath);
      return this;
    }

    /**
     * Whether {@link #deploy} pulls an image that is not present on the engine. Default true.
     * With false, a missing image is refused at once.
     */
    public Builder pullMissingImages(boolean pull) {
      once(this.pullMissingImages, "pullMissingImages");
      this.pullMissingImages = pull;
      return this;
    }

    /**
     * How many log lines of removed containers are kept in memory per version, so that
     * {@link DockerProvider#logs} still shows why a container died. Default 1000.
     */
    public Builder retainedLogLines(int lines) {
      once(this.retainedLogLines, "retainedLogLines");
      if (lines < 0) {
        throw new IllegalArgumentException("retainedLogLines must not be negative, was " + lines);
      }
      this.retainedLogLines = lines;
      return this;
    }

    /**
     * How long the containers replaced by {@link DockerProvider#updateEnv} keep running after the
     * new ones took over, so that the requests they were given can finish. Default 30 s.
     */
    public Builder drainPeriod(Duration drainPeriod) {
      once(this.drainPeriod, "drainPeriod");
      if (drainPeriod == null || drainPeriod.isNegative()) {
        throw new IllegalArgumentException("drainPeriod must be zero or positive, was " + drainPeriod);
      }
      this.drainPeriod = drainPeriod;
      return this;
    }

    /**
     * Connects to the engine, removes containers left behind by an earlier run with the same
     * instance id, and returns the provider.
     *
     * @throws FaasException with reason {@code UNAVAILABLE} if the engine does not answer
     */
    public DockerProvider build() {
      String host = dockerHost;
      if (host == null) {
        String env = System.getenv("DOCKER_HOST");
        host = env == null || env.isBlank() ? "unix:///var/run/docker.sock" : env;
      }
      return new DockerProvider(new Settings(
          host,
          instanceId != null ? instanceId : "faas4j-" + UUID.randomUUID().toString().substring(0, 8),
          startTimeout != null ? startTimeout : Duration.ofSeconds(60),
          stopTimeout != null ? stopTimeout : Duration.ofSeconds(10),
          defaultPort != null ? defaultPort : 8080,
          healthPath != null ? healthPath : "/",
          pullMissingImages == null || pullMissingImages,
          retainedLogLines != null ? retainedLogLines : 1000,
          drainPeriod != null ? drainPeriod : Duration.ofSeconds(30)));
    }
  }
}
