package dev.faas4j.docker;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionProviderContract;
import dev.faas4j.api.FunctionSpec;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The provider contract, on a real Docker engine with the busybox test image. */
@ExtendWith(RequiresDocker.class)
class DockerProviderContractTest extends FunctionProviderContract {

  private static TestEngine engine;
  private static String image;

  @BeforeAll
  static void buildImage() throws Exception {
    engine = TestEngine.connectOrNull();
    if (engine != null) {
      image = engine.buildFunctionImage();
    }
  }

  @AfterAll
  static void removeImageAndCheckNothingIsLeft() throws Exception {
    if (engine == null) {
      return;
    }
    try {
      engine.removeImage(image);
      engine.assertNothingLeft();
    } finally {
      engine.close();
    }
  }

  @Override
  protected FunctionProvider newProvider() {
    return DockerProvider.builder()
        .dockerHost(TestEngine.skipIfMissing(engine).dockerHost)
        .stopTimeout(Duration.ZERO)
        .pullMissingImages(false)
        .build();
  }

  @Override
  protected FunctionSpec respondingSpec(String name, String version, String body) {
    return FunctionSpec.builder(name).version(version).runtime("docker").image(image)
        .env("REPLY_BODY", body).build();
  }

  @Override
  protected FunctionSpec envEchoSpec(String name, String version, String key, String value) {
    return FunctionSpec.builder(name).version(version).runtime("docker").image(image)
        .env(key, value).env("REPLY_ENV", key).build();
  }
}
