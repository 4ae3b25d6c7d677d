package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faas4j.docker.RequiresDocker;
import dev.faas4j.docker.TestImage;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real gateway jar with {@code --docker-host}: container functions (runtime {@code docker}, an
 * image) run next to workerd's, on the real Docker engine that {@code .ci/dockerd.sh} starts
 * ({@code DOCKER_HOST}). The image is built locally from scratch and busybox, as provider-docker's own
 * tests do; under {@code CI=true} a missing engine fails the class. After the last test the engine
 * must hold no container, image or network of the tests.
 */
@ExtendWith(RequiresDocker.class)
class DockerGatewayIT extends GatewayTestSupport {

  @RegisterExtension
  static final TestImage DOCKER = new TestImage();

  private GatewayProcess startWithDocker() throws Exception {
    return start("--docker-host", DOCKER.engine().dockerHost);
  }

  private String deployImage(GatewayProcess gateway, String name, String reply) throws Exception {
    var answer = gateway.admin("POST", "/deploy/" + name, GatewayProcess.JSON.writeValueAsString(Map.of(
        "version", "v1", "image", DOCKER.image(), "env_vars", Map.of("REPLY_BODY", reply))));
    assertThat(answer.statusCode()).as("deploy of a container function: " + answer.body()).isEqualTo(200);
    return answer.body();
  }

  @Test
  void aContainerFunctionIsServedNextToAJavaScriptOne() throws Exception {
    GatewayProcess gateway = startWithDocker();

    assertThat(deployImage(gateway, "boxed", "from a container")).contains("\"version\":\"v1\"");
    gateway.deployText("plain", "v1", "from workerd");

    assertThat(gateway.get("boxed.func.local").body()).isEqualTo("from a container");
    assertThat(gateway.get("plain.func.local").body()).isEqualTo("from workerd");
    JsonNode version = gateway.functions().path("functions").get(0).path("versions").get(0);
    assertThat(version.path("runtime").asText()).as("runtime of " + version).isEqualTo("docker");
  }

  @Test
  void withoutTheFlagAContainerFunctionIsRefused() throws Exception {
    GatewayProcess gateway = start();

    var answer = gateway.admin("POST", "/deploy/boxed", GatewayProcess.JSON.writeValueAsString(Map.of(
        "version", "v1", "image", DOCKER.image())));

    assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
    assertThat(answer.body()).contains("docker");
    assertThat(gateway.functions().path("functions")).isEmpty();
  }

  @Test
  void aRestartOnTheSameDataDirRemovesTheContainersAKilledGatewayLeft() throws Exception {
    GatewayProcess first = startWithDocker();
    deployImage(first, "boxed", "first run");
    assertThat(first.get("boxed.func.local").body()).isEqualTo("first run");
    first.kill(); // its container keeps running: nobody removed it

    GatewayProcess second = startWithDocker();

    assertThat(second.get("boxed.func.local").body()).as("restored and started again").isEqualTo("first run");
    assertThat(DOCKER.engine().managedContainers()).as("containers once the second gateway serves: its own only")
        .hasSize(1);
    second.close();
    assertThat(DOCKER.engine().managedContainers()).as("containers after an orderly stop").isEmpty();
  }
}
