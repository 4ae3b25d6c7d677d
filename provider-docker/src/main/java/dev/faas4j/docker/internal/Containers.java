package dev.faas4j.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Statistics;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container's life on the engine: create, start, wait until it answers, stop and remove.
 *
 * <p>Thread-safe and stateless: which containers belong to whom is {@link DockerRuntime}'s business.
 */
final class Containers {

  /** Label set to {@code true} on every container faas4j manages. */
  static final String LABEL_MANAGED = "dev.faas4j.managed";
  /** Label holding the provider's instance id. */
  static final String LABEL_OWNER = "dev.faas4j.owner";
  /** Label holding the function's canonical name. */
  static final String LABEL_FUNCTION = "dev.faas4j.function";
  /** Label holding the version. */
  static final String LABEL_VERSION = "dev.faas4j.version";

  private static final Logger LOG = LoggerFactory.getLogger(Containers.class);

  private final Engine engine;
  private final ContainerLogs logs;

  Containers(Engine engine, ContainerLogs logs) {
    this.engine = engine;
    this.logs = logs;
  }

  /** Creates (but does not start) a container of {@code version}; returns its id. */
  String create(VersionState version) {
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
    labels.put(LABEL_OWNER, engine.settings().instanceId());
    labels.put(LABEL_FUNCTION, ref.name());
    labels.put(LABEL_VERSION, ref.version());
    List<String> env = spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    String name = "faas4j-" + ref.name() + "-" + ref.version() + "-" + UUID.randomUUID().toString().substring(0, 8);
    try {
      return engine.client().createContainerCmd(spec.image())
          .withName(name)
          .withLabels(labels)
          .withEnv(env)
          .withExposedPorts(port)
          .withHostConfig(host)
          .exec()
          .getId();
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "cannot create a container for " + ref
          + " from image '" + spec.image() + "': " + Engine.rootMessage(e), e);
    }
  }

  void start(FunctionRef ref, String containerId) {
    try {
      engine.client().startContainerCmd(containerId).exec();
    } catch (RuntimeException e) {
      throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + containerId + " of " + ref
          + " did not start: " + Engine.rootMessage(e), e);
    }
    LOG.debug("started container {} for {}", containerId, ref);
  }

  /** Polls a started container until its health path answers, it exits, or {@code deadline} passes. */
  Replica awaitReady(VersionState version, String containerId, Instant deadline) {
    FunctionRef ref = version.spec.ref();
    Settings settings = engine.settings();
    int hostPort = -1;
    while (true) {
      InspectContainerResponse info;
      try {
        info = engine.client().inspectContainerCmd(containerId).exec();
      } catch (NotFoundException e) {
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + containerId + " of " + ref
            + " disappeared while starting (removed by someone else?)");
      } catch (RuntimeException e) {
        throw engine.failure("inspect container " + containerId, e);
      }
      String name = info.getName() == null ? containerId : info.getName().replaceFirst("^/", "");
      InspectContainerResponse.ContainerState state = info.getState();
      if (state == null || !Boolean.TRUE.equals(state.getRunning())) {
        Long exitCode = state == null ? null : state.getExitCodeLong();
        boolean oom = state != null && Boolean.TRUE.equals(state.getOOMKilled());
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "container " + name + " of " + ref
            + " exited with code " + exitCode + " during start"
            + (oom ? " (killed for exceeding its memory limit)" : "") + logs.lastLines(containerId));
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
            + " or raise the start timeout)" + logs.lastLines(containerId));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FaasException(FaasException.Reason.UNAVAILABLE, "interrupted while starting " + ref, e);
      }
    }
  }

  boolean isRunning(String containerId) {
    try {
      InspectContainerResponse info = engine.client().inspectContainerCmd(containerId).exec();
      return info.getState() != null && Boolean.TRUE.equals(info.getState().getRunning());
    } catch (NotFoundException e) {
      return false;
    } catch (RuntimeException e) {
      throw engine.failure("inspect container " + containerId, e);
    }
  }

  /** This instance's containers: running ones, or all of them with {@code all}. */
  List<Container> listOwned(boolean all) {
    try {
      Map<String, String> labels = all
          ? Map.of(LABEL_MANAGED, "true", LABEL_OWNER, engine.settings().instanceId())
          : Map.of(LABEL_OWNER, engine.settings().instanceId());
      return engine.client().listContainersCmd().withShowAll(all).withLabelFilter(labels).exec();
    } catch (RuntimeException e) {
      throw engine.failure("list containers", e);
    }
  }

  /** Pauses a running container (the engine uses the cgroup freezer). */
  void pause(String containerId) {
    try {
      engine.client().pauseContainerCmd(containerId).exec();
    } catch (RuntimeException e) {
      throw engine.failure("pause container " + containerId, e);
    }
  }

  /** Unpauses a paused container. */
  void unpause(String containerId) {
    try {
      engine.client().unpauseContainerCmd(containerId).exec();
    } catch (RuntimeException e) {
      throw engine.failure("unpause container " + containerId, e);
    }
  }

  /** The container's memory use as the engine reports it ({@code memory_stats.usage}); 0 if unknown. */
  long memoryUsage(String containerId) {
    AtomicLong usage = new AtomicLong();
    ResultCallback.Adapter<Statistics> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Statistics statistics) {
        if (statistics.getMemoryStats() != null && statistics.getMemoryStats().getUsage() != null) {
          usage.set(statistics.getMemoryStats().getUsage());
        }
      }
    };
    try {
      engine.client().statsCmd(containerId).withNoStream(true).exec(callback)
          .awaitCompletion(Engine.CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("could not read the memory use of container {}: {}", containerId, e.getMessage());
    } finally {
      Engine.closeQuietly(callback);
    }
    return usage.get();
  }

  /**
   * Stops and removes a container, first keeping its last log lines in {@code version} (when
   * given); never throws.
   */
  void remove(VersionState version, String containerId) {
    Settings settings = engine.settings();
    DockerClient client = engine.client();
    try {
      if (version != null && settings.retainedLogLines() > 0) {
        version.retain(logs.read(containerId, settings.retainedLogLines()));
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
          Engine.rootMessage(e), containerId);
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
}
