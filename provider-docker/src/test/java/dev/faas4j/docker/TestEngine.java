package dev.faas4j.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker engine the tests run against ({@code DOCKER_HOST}, as {@code .ci/dockerd.sh}
 * prints it), and the function image the tests build on it from Debian's static busybox.
 *
 * <p>Without an engine or busybox, a test class fails when {@code CI=true} and is skipped with
 * a message saying what to do otherwise. Public, in the test-jar, for the gateway's Docker tests.
 */
public final class TestEngine implements AutoCloseable {

  static final String IMAGE_REPOSITORY = "faas4j-test-function";
  private static final Path BUSYBOX = Path.of("/bin/busybox");
  /** The build context of the function image, under {@code function-image/} on the test classpath. */
  private static final List<String> IMAGE_FILES = List.of("Dockerfile", "start.sh", "www/cgi-bin/index.cgi");
  private static final Set<String> BUILTIN_NETWORKS = Set.of("bridge", "host", "none");

  public final String dockerHost;
  final DockerClient client;

  private TestEngine(String dockerHost, DockerClient client) {
    this.dockerHost = dockerHost;
    this.client = client;
  }

  /** Why the engine cannot be used, or null; set by {@link #connectOrNull()}. */
  private static volatile String unavailable;

  /**
   * Connects to the engine. Without one, fails under {@code CI=true}, and otherwise returns null
   * after printing why; each test then calls {@link #skipIfMissing(TestEngine)}.
   */
  public static TestEngine connectOrNull() {
    String host = System.getenv("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      host = "unix:///var/run/docker.sock";
    }
    if (!Files.isExecutable(BUSYBOX)) {
      return missing("the tests build their function image from Debian's static busybox, and " + BUSYBOX
          + " is missing: run `apt-get install -y busybox-static` (or `eval \"$(bash .ci/dockerd.sh start)\"`)");
    }
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(host).build();
    DockerClient client = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig())
        .connectionTimeout(Duration.ofSeconds(5)).build());
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      try {
        client.close();
      } catch (IOException ignored) {
        // nothing to release
      }
      return missing("no Docker engine answers at " + host + " (" + e.getMessage() + "): start one with"
          + " `eval \"$(bash .ci/dockerd.sh start)\"` from the repository root, then rerun with DOCKER_HOST set");
    }
    return new TestEngine(host, client);
  }

  private static TestEngine missing(String why) {
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true and the Docker integration tests cannot run: " + why);
    }
    unavailable = "Docker integration tests skipped: " + why;
    System.err.println(unavailable);
    return null;
  }

  /** Why the engine cannot be used here, or null if it can; probes once per JVM. */
  public static synchronized String whyUnavailable() {
    if (!probed) {
      probed = true;
      TestEngine engine = connectOrNull();
      if (engine != null) {
        try {
          engine.close();
        } catch (IOException ignored) {
          // nothing to release
        }
      }
    }
    return unavailable;
  }

  private static boolean probed;

  /** Skips the calling test, with the reason, if {@code engine} is null. */
  static TestEngine skipIfMissing(TestEngine engine) {
    if (engine == null) {
      Assumptions.abort(unavailable);
    }
    return engine;
  }

  /** Builds the function image under a fresh tag and returns the tag. */
  public String buildFunctionImage() throws IOException {
    String tag = IMAGE_REPOSITORY + ":" + UUID.randomUUID().toString().substring(0, 8);
    Path context = Files.createTempDirectory("faas4j-image-");
    try {
      // copied one by one from the classpath, so that this works from the test-jar too
      for (String file : IMAGE_FILES) {
        Path target = context.resolve(file);
        Files.createDirectories(target.getParent());
        try (var in = TestEngine.class.getResourceAsStream("/function-image/" + file)) {
          if (in == null) {
            throw new IOException("function-image/" + file + " is missing from the test classpath");
          }
          Files.copy(in, target);
        }
      }
      Files.copy(BUSYBOX, context.resolve("busybox"));
      client.buildImageCmd(context.toFile())
          .withTags(Set.of(tag))
          .withPull(false)
          .withRemove(true)
          .withForcerm(true)
          .exec(new BuildImageResultCallback())
          .awaitImageId(5, TimeUnit.MINUTES);
    } finally {
      deleteTree(context);
    }
    return tag;
  }

  /** Removes an image the tests built; ignores one that is already gone. */
  public void removeImage(String tag) {
    if (tag == null) {
      return;
    }
    try {
      client.removeImageCmd(tag).withForce(true).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }

  /** Containers of one provider instance, running or not. */
  List<Container> containersOf(String instanceId) {
    return client.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of("dev.faas4j.owner", instanceId)).exec();
  }

  /** Containers labelled {@code dev.faas4j.managed}, running or not, whoever owns them. */
  public List<Container> managedContainers() {
    return client.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of("dev.faas4j.managed", "true")).exec();
  }

  /** Asserts that the tests left no managed container, no test image and no extra network. */
  public void assertNothingLeft() {
    List<Container> containers = managedContainers();
    assertThat(containers).as("containers labelled dev.faas4j.managed left on the engine").isEmpty();
    List<Image> images = client.listImagesCmd().withReferenceFilter(IMAGE_REPOSITORY).exec();
    assertThat(images).as("test function images left on the engine").isEmpty();
    List<Image> layers = client.listImagesCmd().withShowAll(true)
        .withLabelFilter(Map.of("dev.faas4j.test", "true")).exec();
    assertThat(layers).as("images or build layers labelled dev.faas4j.test left on the engine").isEmpty();
    List<Network> networks = client.listNetworksCmd().exec();
    assertThat(networks).as("networks other than the engine's built-in ones")
        .allSatisfy(network -> assertThat(BUILTIN_NETWORKS).contains(network.getName()));
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
