package dev.faas4j.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Freezing a version pauses its containers on the real engine, and thawing unpauses them. */
@ExtendWith(RequiresDocker.class)
class DockerFreezeTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  static final TestImage DOCKER = new TestImage();

  private final String instanceId = "freeze-" + UUID.randomUUID().toString().substring(0, 8);
  private DockerProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private FunctionRef started() {
    provider = DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .instanceId(instanceId)
        .stopTimeout(Duration.ZERO)
        .pullMissingImages(false)
        .build();
    FunctionSpec spec = FunctionSpec.builder("icy").version("v1").runtime("docker").image(DOCKER.image()).build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    return spec.ref();
  }

  private String containerId() {
    List<Container> mine = DOCKER.engine().containersOf(instanceId);
    assertThat(mine).as("containers of %s", instanceId).hasSize(1);
    return mine.get(0).getId();
  }

  private boolean paused(String containerId) {
    return Boolean.TRUE.equals(DOCKER.engine().client.inspectContainerCmd(containerId).exec().getState().getPaused());
  }

  private static CompletableFuture<HttpResponse<String>> getAsync(Endpoint endpoint) {
    return HTTP.sendAsync(HttpRequest.newBuilder(((Endpoint.Http) endpoint).baseUri().resolve("/"))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void freezePausesTheContainersAndThawUnpausesThem() throws Exception {
    FunctionRef ref = started();
    String containerId = containerId();

    provider.freeze(ref);

    assertThat(paused(containerId)).as("State.Paused of %s", containerId).isTrue();
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.FROZEN);
    assertThat(provider.frozenMemoryBytes(ref)).as("memory_stats.usage at the pause").isPositive();
    assertThat(provider.endpoint(ref)).as("a paused container keeps its published port").isPresent();

    provider.thaw(ref);

    assertThat(paused(containerId)).isFalse();
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.RUNNING);
    assertThat(provider.frozenMemoryBytes(ref)).isZero();
    assertThat(getAsync(provider.endpoint(ref).orElseThrow()).get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aRequestSentToAPausedContainerIsAnsweredAfterTheUnpause() throws Exception {
    FunctionRef ref = started();
    provider.freeze(ref);

    CompletableFuture<HttpResponse<String>> pending = getAsync(provider.endpoint(ref).orElseThrow());
    Thread.sleep(300);
    assertThat(pending).as("no answer from a paused container").isNotDone();

    provider.thaw(ref);
    assertThat(pending.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void scalingAFrozenVersionToOneUnpausesIt() throws Exception {
    FunctionRef ref = started();
    String containerId = containerId();
    provider.freeze(ref);

    provider.scale(ref, 1);

    assertThat(paused(containerId)).isFalse();
    assertThat(containerId()).as("the same container").isEqualTo(containerId);
    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.RUNNING);
  }

  @Test
  void aFrozenVersionScaledToZeroIsRemoved() throws Exception {
    FunctionRef ref = started();
    String containerId = containerId();
    provider.freeze(ref);

    provider.scale(ref, 0);

    assertThat(provider.status(ref).state()).isEqualTo(VersionStatus.State.STOPPED);
    boolean gone;
    try {
      DOCKER.engine().client.inspectContainerCmd(containerId).exec();
      gone = false;
    } catch (NotFoundException e) {
      gone = true;
    }
    assertThat(gone).as("container %s after scale(0) of its frozen version", containerId).isTrue();
  }
}
