package dev.faas4j.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.faas4j.api.FaasException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to one Docker engine, and how its failures are worded.
 *
 * <p>Thread-safe: the underlying client is. Every other class of this package reaches the engine
 * through {@link #client()} and reports failures through {@link #failure(String, RuntimeException)}.
 */
final class Engine implements AutoCloseable {

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final Settings settings;
  private final DockerClient client;

  private Engine(Settings settings, DockerClient client) {
    this.settings = settings;
    this.client = client;
  }

  /**
   * Builds a client for {@code settings.dockerHost()} and pings the engine.
   *
   * @throws FaasException with reason {@code UNAVAILABLE} if the engine does not answer
   */
  static Engine connect(Settings settings) {
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
    return new Engine(settings, client);
  }

  DockerClient client() {
    return client;
  }

  Settings settings() {
    return settings;
  }

  /** An {@code UNAVAILABLE} failure naming the engine and what it failed to do. */
  FaasException failure(String what, RuntimeException e) {
    return new FaasException(FaasException.Reason.UNAVAILABLE, "Docker engine at " + settings.dockerHost()
        + " failed to " + what + ": " + rootMessage(e), e);
  }

  @Override
  public void close() {
    closeQuietly(client);
  }

  /** The innermost cause's message, trimmed; the class name when it has none. */
  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.strip();
  }

  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing {}: {}", closeable, e.toString());
    }
  }
}
