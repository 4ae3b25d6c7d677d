package dev.faas4j.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Container;
import dev.faas4j.api.EnvUpdates;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * New env values (a rotated secret) reach a running Docker version without a redeploy and without
 * a failed request: new containers take over once ready, the replaced ones go after the drain.
 * Against the real engine, with the busybox test image (its answer is the env var REPLY_ENV names).
 */
@ExtendWith(RequiresDocker.class)
class DockerEnvUpdateTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  static final TestImage DOCKER = new TestImage();

  private final String instanceId = "env-" + UUID.randomUUID().toString().substring(0, 8);
  private DockerProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
  }

  private EnvUpdates provider(Duration drainPeriod) {
    provider = DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .instanceId(instanceId)
        .stopTimeout(Duration.ZERO)
        .pullMissingImages(false)
        .drainPeriod(drainPeriod)
        .build();
    assertThat(provider.capability(EnvUpdates.class)).as("the EnvUpdates capability").contains(provider);
    return provider;
  }

  private static FunctionSpec spec(String token) {
    return FunctionSpec.builder("rotating").version("v1").runtime("docker").image(DOCKER.image())
        .env(Map.of("REPLY_ENV", "API_TOKEN", "API_TOKEN", token)).build();
  }

  private String get(FunctionRef ref) throws Exception {
    Endpoint.Http endpoint = (Endpoint.Http) provider.endpoint(ref).orElseThrow();
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint.baseUri().resolve("/"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("status from %s", endpoint.baseUri()).isEqualTo(200);
    return response.body().strip();
  }

  /** Whether {@code condition} holds within 30 s (the drain runs on the provider's own thread). */
  private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private Set<String> containerIds() {
    return DOCKER.engine().containersOf(instanceId).stream().map(Container::getId).collect(Collectors.toSet());
  }

  @Test
  void runningContainersAreReplacedAndNoRequestFailsMeanwhile() throws Exception {
    EnvUpdates updates = provider(Duration.ZERO);
    FunctionSpec first = spec("old-token");
    provider.deploy(first);
    provider.scale(first.ref(), 2);
    assertThat(get(first.ref())).isEqualTo("old-token");
    Set<String> before = containerIds();

    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger answered = new AtomicInteger();
    List<String> failures = new ArrayList<>();
    Thread caller = new Thread(() -> {
      while (!stop.get()) {
        try {
          String body = get(first.ref());
          if (!body.equals("old-token") && !body.equals("new-token")) {
            synchronized (failures) {
              failures.add("unexpected answer " + body);
            }
          }
          answered.incrementAndGet();
        } catch (Exception | AssertionError e) {
          synchronized (failures) {
            failures.add(e.toString());
          }
        }
      }
    }, "env-update-caller");
    caller.start();
    try {
      updates.updateEnv(spec("new-token"));
      for (int i = 0; i < 4; i++) {
        assertThat(get(first.ref())).as("every request after updateEnv returned").isEqualTo("new-token");
      }
    } finally {
      stop.set(true);
      caller.join(30_000);
    }

    assertThat(failures).as("requests that failed while the containers were replaced").isEmpty();
    assertThat(answered.get()).as("requests answered during the update").isPositive();
    assertThat(provider.status(first.ref()).readyReplicas()).isEqualTo(2);
    assertThat(eventually(() -> containerIds().stream().noneMatch(before::contains)))
        .as("the replaced containers are removed after the drain period (0): %s", containerIds()).isTrue();
    assertThat(containerIds()).hasSize(2);
  }

  @Test
  void aStoppedVersionStartsWithTheNewValues() throws Exception {
    EnvUpdates updates = provider(Duration.ZERO);
    FunctionSpec first = spec("old-token");
    provider.deploy(first);

    updates.updateEnv(spec("new-token"));
    assertThat(containerIds()).as("nothing starts for a version that was not running").isEmpty();

    provider.scale(first.ref(), 1);
    assertThat(get(first.ref())).isEqualTo("new-token");
  }

  @Test
  void aPausedVersionIsReplacedToo() throws Exception {
    EnvUpdates updates = provider(Duration.ZERO);
    FunctionSpec first = spec("old-token");
    provider.deploy(first);
    provider.scale(first.ref(), 1);
    provider.freeze(first.ref());

    updates.updateEnv(spec("new-token"));

    assertThat(get(first.ref())).isEqualTo("new-token");
  }

  @Test
  void theReplacedContainersServeUntilTheDrainPeriodEnds() throws Exception {
    EnvUpdates updates = provider(Duration.ofMinutes(5));
    FunctionSpec first = spec("old-token");
    provider.deploy(first);
    provider.scale(first.ref(), 1);
    Set<String> before = containerIds();

    updates.updateEnv(spec("new-token"));

    assertThat(get(first.ref())).isEqualTo("new-token");
    assertThat(containerIds()).as("old and new container while the old one drains").containsAll(before).hasSize(2);
    provider.close(); // closing removes the draining container too (checked by TestImage after the class)
    assertThat(containerIds()).isEmpty();
  }

  /**
   * With no drain period the replaced container is removed on the drain thread right away, so a
   * close straight after the update meets that removal halfway; it must finish it, not abort it.
   * Three rounds, because the overlap is a matter of timing.
   */
  @Test
  void closingWhileAReplacedContainerIsBeingRemovedLeavesNothingRunning() throws Exception {
    for (int round = 0; round < 3; round++) {
      EnvUpdates updates = provider(Duration.ZERO);
      FunctionSpec first = spec("old-token");
      provider.deploy(first);
      provider.scale(first.ref(), 1);

      updates.updateEnv(spec("new-token"));
      provider.close();

      assertThat(containerIds()).as("containers left after close, round %d", round).isEmpty();
    }
  }

  @Test
  void aSpecThatDiffersInMoreThanItsEnvOrIsNotDeployedIsRefused() {
    EnvUpdates updates = provider(Duration.ZERO);
    provider.deploy(spec("old-token"));

    FunctionSpec otherImage = FunctionSpec.builder("rotating").version("v1").runtime("docker")
        .image(DOCKER.image() + "-other").env(Map.of("API_TOKEN", "x")).build();
    assertThatThrownBy(() -> updates.updateEnv(otherImage))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
    FunctionSpec unknown = FunctionSpec.builder("nobody").version("v1").runtime("docker").image(DOCKER.image()).build();
    assertThatThrownBy(() -> updates.updateEnv(unknown))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.NOT_FOUND));
  }

  @Test
  void aNewContainerThatCannotStartLeavesTheOldOneServingAndNothingBehind() throws Exception {
    EnvUpdates updates = provider(Duration.ZERO);
    FunctionSpec first = spec("old-token");
    provider.deploy(first);
    provider.scale(first.ref(), 1);
    Set<String> before = containerIds();

    FunctionSpec broken = FunctionSpec.builder("rotating").version("v1").runtime("docker").image(DOCKER.image())
        .env(Map.of("REPLY_ENV", "API_TOKEN", "API_TOKEN", "new-token", "FAIL_AT_START", "cannot start")).build();
    assertThatThrownBy(() -> updates.updateEnv(broken))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.UNAVAILABLE));

    assertThat(get(first.ref())).as("the old container goes on serving").isEqualTo("old-token");
    assertThat(containerIds()).as("the failed container is removed").isEqualTo(before);
  }
}
