package dev.faas4j.docker;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionProviderContract;
import dev.faas4j.api.FunctionSpec;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The provider contract, on a real Docker engine with the busybox test image. */
@ExtendWith(RequiresDocker.class)
class DockerProviderContractTest extends FunctionProviderContract {

  @RegisterExtension
  static final TestImage DOCKER = new TestImage();


  @Override
  protected FunctionProvider newProvider() {
    return DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(DOCKER.engine()).dockerHost)
        .stopTimeout(Duration.ZERO)
        .pullMissingImages(false)
        .build();
  }

  @Override
  protected FunctionSpec respondingSpec(String name, String version, String body) {
    return FunctionSpec.builder(name).version(version).runtime("docker").image(DOCKER.image())
        .env("REPLY_BODY", body).build();
  }

  @Override
  protected FunctionSpec envEchoSpec(String name, String version, String key, String value) {
    return FunctionSpec.builder(name).version(version).runtime("docker").image(DOCKER.image())
        .env(key, value).env("REPLY_ENV", key).build();
  }
}
