package dev.faas4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FunctionProvider} must have. Extend it once per implementation.
 *
 * <p>Subclasses say how to make a provider and how to write two tiny functions in its runtime;
 * the suite deploys, scales, calls and undeploys them and checks what a caller can observe.
 */
public abstract class FunctionProviderContract {

  /** A new provider. The suite closes it after each test. */
  protected abstract FunctionProvider newProvider() throws Exception;

  /** A version of function {@code name} that answers every request with 200 and {@code body}. */
  protected abstract FunctionSpec respondingSpec(String name, String version, String body);

  /** A version of function {@code name} that answers every request with the value of env var {@code key}. */
  protected abstract FunctionSpec envEchoSpec(String name, String version, String key, String value);

  protected FunctionProvider provider;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void openProvider() throws Exception {
    provider = newProvider();
  }

  @AfterEach
  void closeProvider() {
    provider.close();
  }

  /** Sends GET {@code path} to an endpoint and returns the body of a 200 answer. */
  protected static String get(Endpoint endpoint, String path) throws Exception {
    if (endpoint instanceof Endpoint.InProcess inProcess) {
      FunctionResponse response = inProcess.handler().handle(
          new FunctionRequest("GET", path, "", Map.of(), new byte[0]));
      assertThat(response.status()).as("status of GET " + path).isEqualTo(200);
      return new String(response.body(), StandardCharsets.UTF_8);
    }
    Endpoint.Http http = (Endpoint.Http) endpoint;
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(http.baseUri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("status of GET " + path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }

  private Endpoint readyEndpoint(FunctionRef ref) {
    return provider.endpoint(ref).orElseThrow(() -> new AssertionError("no ready endpoint for " + ref));
  }

  @Test
  void aVersionScaledToOneAnswersRequests() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "hello from v1");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    assertThat(get(readyEndpoint(spec.ref()), "/")).isEqualTo("hello from v1");
  }

  @Test
  void statusReportsARunningVersionWithItsReadyReplicas() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "x");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    VersionStatus status = provider.status(spec.ref());
    assertThat(status.state()).isEqualTo(VersionStatus.State.RUNNING);
    assertThat(status.readyReplicas()).isEqualTo(1);
  }

  @Test
  void aVersionScaledToZeroHasNoEndpointAndIsStopped() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "x");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    provider.scale(spec.ref(), 0);

    assertThat(provider.endpoint(spec.ref())).isEmpty();
    assertThat(provider.status(spec.ref()).state()).isEqualTo(VersionStatus.State.STOPPED);
    assertThat(provider.status(spec.ref()).readyReplicas()).isZero();
  }

  @Test
  void aVersionScaledUpAgainAnswersAgain() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "back again");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    provider.scale(spec.ref(), 0);

    provider.scale(spec.ref(), 1);

    assertThat(get(readyEndpoint(spec.ref()), "/")).isEqualTo("back again");
  }

  @Test
  void versionsOfOneFunctionRunIndependently() throws Exception {
    FunctionSpec v1 = respondingSpec("hello", "v1", "one");
    FunctionSpec v2 = respondingSpec("hello", "v2", "two");
    provider.deploy(v1);
    provider.deploy(v2);
    provider.scale(v1.ref(), 1);
    provider.scale(v2.ref(), 1);

    assertThat(get(readyEndpoint(v1.ref()), "/")).isEqualTo("one");
    assertThat(get(readyEndpoint(v2.ref()), "/")).isEqualTo("two");

    provider.scale(v1.ref(), 0);
    assertThat(get(readyEndpoint(v2.ref()), "/")).as("v2 after v1 stopped").isEqualTo("two");
  }

  @Test
  void envVarsReachTheFunctionUnchanged() throws Exception {
    String hostile = "quotes \" ' and ) ( ; # and\nnewline \\ and ünïcödé 😀 \") ; embed \"x\"";
    FunctionSpec spec = envEchoSpec("env", "v1", "GREETING", hostile);
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    assertThat(get(readyEndpoint(spec.ref()), "/")).isEqualTo(hostile);
  }

  @Test
  void deployingTheSameSpecTwiceIsHarmless() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "same");
    provider.deploy(spec);
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    assertThat(get(readyEndpoint(spec.ref()), "/")).isEqualTo("same");
  }

  @Test
  void undeployForgetsTheVersion() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "x");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);

    provider.undeploy(spec.ref());

    assertThat(provider.endpoint(spec.ref())).isEmpty();
    assertThat(provider.status(spec.ref()).state()).isEqualTo(VersionStatus.State.STOPPED);
    assertThatThrownBy(() -> provider.scale(spec.ref(), 1))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.NOT_FOUND));
  }

  @Test
  void scalingAVersionThatWasNeverDeployedIsNotFound() {
    assertThatThrownBy(() -> provider.scale(new FunctionRef("nobody", "v1"), 1))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.NOT_FOUND));
  }

  @Test
  void undeployOfAnUnknownVersionDoesNothing() throws Exception {
    provider.undeploy(new FunctionRef("nobody", "v1"));

    assertThat(provider.status(new FunctionRef("nobody", "v1")).state()).isEqualTo(VersionStatus.State.STOPPED);
  }

  @Test
  void closeStopsEveryInstance() throws Exception {
    FunctionSpec spec = respondingSpec("hello", "v1", "x");
    provider.deploy(spec);
    provider.scale(spec.ref(), 1);
    Endpoint endpoint = readyEndpoint(spec.ref());

    provider.close();

    assertThat(provider.endpoint(spec.ref())).isEmpty();
    if (endpoint instanceof Endpoint.Http http) {
      assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(http.baseUri()).build(),
          HttpResponse.BodyHandlers.discarding()))
          .as("the instance's port no longer answers").isInstanceOf(IOException.class);
    }
  }
}
