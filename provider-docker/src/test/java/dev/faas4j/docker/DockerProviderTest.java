package dev.faas4j.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.VersionStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

/** What the Docker provider does beyond the common contract, on a real Docker engine. */
@ExtendWith(RequiresDocker.class)
class DockerProviderTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  static final TestImage DOCKER = new TestImage();

  private final List<DockerProvider> providers = new ArrayList<>();


  @AfterEach
  void closeProviders() {
    providers.forEach(DockerProvider::close);
  }

  private DockerProvider newProvider(String instanceId) {
    DockerProvider provider = DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .instanceId(instanceId)
        .stopTimeout(Duration.ZERO)
        .pullMissingImages(false)
        .build();
    providers.add(provider);
    return provider;
  }

  private DockerProvider newProvider() {
    return newProvider("test-" + UUID.randomUUID().toString().substring(0, 8));
  }

  private static FunctionSpec.Builder spec(String name) {
    return FunctionSpec.builder(name).version("v1").runtime("docker").image(DOCKER.image());
  }

  private static String get(Endpoint endpoint) throws Exception {
    Endpoint.Http http = (Endpoint.Http) endpoint;
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(http.baseUri().resolve("/")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("status from " + http.baseUri()).isEqualTo(200);
    return response.body().strip();
  }

  @Test
  void aMissingImageIsRefusedAtDeployAndLeavesNothingBehind() {
    DockerProvider provider = DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .stopTimeout(Duration.ZERO)
        .build();
    providers.add(provider);
    FunctionSpec spec = FunctionSpec.builder("ghost").version("v1").runtime("docker")
        .image("faas4j-no-such-image:" + UUID.randomUUID().toString().substring(0, 8)).build();

    assertThatThrownBy(() -> provider.deploy(spec))
        .as("deploying an image that is neither local nor pullable")
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_FUNCTION);
          assertThat(e.getMessage()).as("message names the image").contains(spec.image());
        });
    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after a refused deploy").isEmpty();
    assertThatThrownBy(() -> provider.scale(spec.ref(), 1))
        .as("a refused version is not deployed")
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.NOT_FOUND));
  }

  @Test
  void deployStartsNoContainer() throws Exception {
    DockerProvider provider = newProvider();

    provider.deploy(spec("hello").env("REPLY_BODY", "x").build());

    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after deploy alone").isEmpty();
  }

  @Test
  void codeInsteadOfAnImageIsAnInvalidRequest() {
    DockerProvider provider = newProvider();
    FunctionSpec spec = FunctionSpec.builder("js").version("v1").runtime("docker").code("export default {}").build();

    assertThatThrownBy(() -> provider.deploy(spec))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason for a docker spec with code").isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }

  @Test
  void scalingToThreeSpreadsRequestsOverThreeContainers() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("spread").env("REPLY_HOSTNAME", "1").build();
    provider.deploy(spec);

    provider.scale(spec.ref(), 3);

    Set<String> hostnames = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      hostnames.add(get(provider.endpoint(spec.ref()).orElseThrow()));
    }
    assertThat(hostnames).as("hostnames answering 9 requests").hasSize(3);
    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers of the version").hasSize(3);
    assertThat(provider.status(spec.ref()).readyReplicas()).as("ready replicas").isEqualTo(3);
  }

  @Test
  void aKilledContainerIsDroppedAndTheNextScaleReplacesIt() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("phoenix").env("REPLY_HOSTNAME", "1").build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    String firstHostname = get(provider.endpoint(spec.ref()).orElseThrow());
    String containerId = DOCKER.engine().containersOf(provider.instanceId()).get(0).getId();

    DOCKER.engine().client.killContainerCmd(containerId).exec();

    Instant deadline = Instant.now().plusSeconds(30);
    Optional<Endpoint> endpoint = provider.endpoint(spec.ref());
    while (endpoint.isPresent() && Instant.now().isBefore(deadline)) {
      Thread.onSpinWait();
      endpoint = provider.endpoint(spec.ref());
    }
    assertThat(endpoint).as("endpoint once the only container was killed").isEmpty();

    provider.scale(spec.ref(), 1);

    String secondHostname = get(provider.endpoint(spec.ref()).orElseThrow());
    assertThat(secondHostname).as("hostname of the replacement").isNotEqualTo(firstHostname);
    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after the replacement")
        .extracting(Container::getId).doesNotContain(containerId).hasSize(1);
  }

  @Test
  void everyContainerCarriesTheOwnerFunctionAndVersionLabels() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("Labelled").env("REPLY_BODY", "x").label("team", "blue").build();
    provider.deploy(spec);

    provider.scale(spec.ref(), 1);

    List<Container> containers = DOCKER.engine().containersOf(provider.instanceId());
    assertThat(containers).hasSize(1);
    assertThat(containers.get(0).getLabels()).as("labels of the container")
        .containsEntry("dev.faas4j.managed", "true")
        .containsEntry("dev.faas4j.owner", provider.instanceId())
        .containsEntry("dev.faas4j.function", "labelled")
        .containsEntry("dev.faas4j.version", "v1")
        .containsEntry("team", "blue");
  }

  @Test
  void aNewProviderWithTheSameInstanceIdRemovesWhatTheOldOneLeft() throws Exception {
    String instanceId = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    DockerProvider crashed = newProvider(instanceId);
    FunctionSpec spec = spec("leftover").env("REPLY_BODY", "x").build();
    crashed.deploy(spec);
    crashed.scale(spec.ref(), 2);
    assertThat(DOCKER.engine().containersOf(instanceId)).as("containers before the restart").hasSize(2);

    newProvider(instanceId);

    assertThat(DOCKER.engine().containersOf(instanceId)).as("containers after a provider with the same id started").isEmpty();
  }

  @Test
  void aContainerThatExitsDuringStartFailsWithItsExitCodeAndOutput() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("broken").env("FAIL_AT_START", "boom: DATABASE_URL is not set").build();
    provider.deploy(spec);

    assertThatThrownBy(() -> provider.scale(spec.ref(), 1))
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.UNAVAILABLE);
          assertThat(e.getMessage()).as("message of the failed start")
              .contains("exited with code 3").contains("boom: DATABASE_URL is not set");
        });
    assertThat(provider.status(spec.ref()).state()).as("state after the failed start")
        .isEqualTo(VersionStatus.State.FAILED);
    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after the failed start").isEmpty();
  }

  @Test
  void aContainerThatNeverAnswersFailsWhenTheStartTimeoutRunsOut() throws Exception {
    DockerProvider provider = DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .stopTimeout(Duration.ZERO)
        .startTimeout(Duration.ofSeconds(2))
        .build();
    providers.add(provider);
    FunctionSpec spec = spec("deaf").env("REPLY_BODY", "x").option("port", "9999").build();
    provider.deploy(spec);

    assertThatThrownBy(() -> provider.scale(spec.ref(), 1))
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.UNAVAILABLE);
          assertThat(e.getMessage()).as("message of the timed-out start").contains("did not answer");
        });
    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after the timed-out start").isEmpty();
  }

  @Test
  void logsShowTheContainersOutput() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("chatty").env("REPLY_BODY", "x").build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    List<String> logs = provider.capability(FunctionLogs.class).orElseThrow().logs(spec.ref(), 50);

    assertThat(logs).as("logs of a running version").contains("test function listening on port 8080");
  }

  @Test
  void logsOfAFailedStartRemainAfterItsContainerIsRemoved() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("crashy").env("FAIL_AT_START", "cannot open /config").build();
    provider.deploy(spec);
    assertThatThrownBy(() -> provider.scale(spec.ref(), 1)).isInstanceOf(FaasException.class);

    assertThat(provider.logs(spec.ref(), 10)).as("logs after the container was removed").contains("cannot open /config");
  }

  @Test
  void limitsMapToTheContainersResources() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("limited").env("REPLY_BODY", "x")
        .limits(new Limits(64L * 1024 * 1024, 0.5, 50, null)).build();
    provider.deploy(spec);

    provider.scale(spec.ref(), 1);

    InspectContainerResponse info = DOCKER.engine().client
        .inspectContainerCmd(DOCKER.engine().containersOf(provider.instanceId()).get(0).getId()).exec();
    assertThat(info.getHostConfig().getMemory()).as("memory limit").isEqualTo(64L * 1024 * 1024);
    assertThat(info.getHostConfig().getNanoCPUs()).as("nano-CPUs").isEqualTo(500_000_000L);
    assertThat(info.getHostConfig().getPidsLimit()).as("pids limit").isEqualTo(50L);
  }

  @Test
  void containersPublishOnlyOnLoopback() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("local").env("REPLY_BODY", "x").build();
    provider.deploy(spec);

    provider.scale(spec.ref(), 1);

    Endpoint.Http endpoint = (Endpoint.Http) provider.endpoint(spec.ref()).orElseThrow();
    assertThat(endpoint.baseUri().getHost()).as("host of the endpoint").isEqualTo("127.0.0.1");
    assertThat(DOCKER.engine().containersOf(provider.instanceId()).get(0).getPorts())
        .as("published ports").allSatisfy(port -> assertThat(port.getIp()).isEqualTo("127.0.0.1"));
  }

  @Test
  void scalingToZeroRemovesTheContainers() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("sleepy").env("REPLY_BODY", "x").build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 2);

    provider.scale(spec.ref(), 0);

    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after scaling to zero").isEmpty();
  }

  @Test
  void scalingDownWithAStopTimeoutRemovesTheContainers() throws Exception {
    DockerProvider provider = DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .stopTimeout(Duration.ofSeconds(1))
        .build();
    providers.add(provider);
    FunctionSpec spec = spec("graceful").env("REPLY_BODY", "x").build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 2);

    provider.scale(spec.ref(), 1);

    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after scaling 2 -> 1").hasSize(1);
    assertThat(get(provider.endpoint(spec.ref()).orElseThrow())).as("the remaining replica answers").isEqualTo("x");
  }

  @Test
  void closeRemovesEveryContainerItStarted() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec one = spec("one").env("REPLY_BODY", "1").build();
    FunctionSpec two = spec("two").env("REPLY_BODY", "2").build();
    provider.deploy(one);
    provider.deploy(two);
    provider.scale(one.ref(), 2);
    provider.scale(two.ref(), 1);

    provider.close();

    assertThat(DOCKER.engine().containersOf(provider.instanceId())).as("containers after close").isEmpty();
  }

  @Test
  void closeLeavesNoThreadBehind() throws Exception {
    DockerProvider provider = newProvider();
    FunctionSpec spec = spec("threads").env("REPLY_BODY", "x").build();
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    assertThat(providerThreads()).as("watcher threads while the provider is open").isNotEmpty();

    provider.close();

    Instant deadline = Instant.now().plusSeconds(30);
    List<String> left = providerThreads();
    while (!left.isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.onSpinWait();
      left = providerThreads();
    }
    assertThat(left).as("provider and Docker client threads alive after close").isEmpty();
  }

  /** Threads of this module's watchers and of docker-java streams. */
  private static List<String> providerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("faas4j-docker-watch") || name.startsWith("docker-java-stream"))
        .toList();
  }

  @Test
  void anUnreachableEngineIsReportedWithWhatToDo() {
    assertThatThrownBy(() -> DockerProvider.builder().dockerHost("unix:///nonexistent/docker.sock").build())
        .isInstanceOfSatisfying(FaasException.class, e -> {
          assertThat(e.reason()).isEqualTo(FaasException.Reason.UNAVAILABLE);
          assertThat(e.getMessage()).as("message for an unreachable engine")
              .contains("/nonexistent/docker.sock").contains("DOCKER_HOST");
        });
  }
}
