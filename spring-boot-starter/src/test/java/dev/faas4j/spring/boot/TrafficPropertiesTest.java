package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * The {@code faas4j.traffic.*} and {@code faas4j.secret-key} properties reach the Faas: each is
 * checked by what the Faas then does, on the in-memory provider. ({@code faas4j.async.*} needs
 * HTTP traffic: {@link AsyncPropertiesTest}.)
 */
class TrafficPropertiesTest {

  @TempDir
  Path dataDir;

  private WebApplicationContextRunner web() {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(FaasAutoConfiguration.class, FaasWebAutoConfiguration.class))
        .withPropertyValues("faas4j.provider=in-memory", "faas4j.data-dir=" + dataDir);
  }

  @Test
  void theSecretKeyLetsSecretsBeSet() {
    String key = Base64.getEncoder().encodeToString(new byte[32]);
    web().withPropertyValues("faas4j.secret-key=" + key).run(context -> {
      Faas faas = context.getBean(Faas.class);
      faas.deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
      faas.setSecret("hello", "TOKEN", "t0p");
      assertThat(faas.secretNames("hello")).containsExactly("TOKEN");
    });
    web().run(context -> assertThatThrownBy(() -> context.getBean(Faas.class).setSecret("hello", "TOKEN", "t0p"))
        .as("without a key").isInstanceOf(FaasException.class).hasMessageContaining("key"));
  }

  @Test
  void aSecretKeyThatIsNot32BytesFailsTheStartWithoutShowingIt() {
    String shortKey = Base64.getEncoder().encodeToString("sixteen bytes!!!".getBytes(StandardCharsets.US_ASCII));
    web().withPropertyValues("faas4j.secret-key=" + shortKey).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("faas4j.secret-key")
          .hasMessageContaining("32 bytes").message().doesNotContain(shortKey);
    });
  }

  @Test
  void theStickyHeaderKeepsAClientOnOneVersion() {
    web().withPropertyValues("faas4j.traffic.sticky-header=X-User").run(context -> {
      Faas faas = context.getBean(Faas.class);
      faas.deploy(FunctionSpec.builder("hello").version("v1").code("x").build(), null);
      faas.deploy(FunctionSpec.builder("hello").version("v2").code("x").build(), null);
      faas.setWeights("hello", "canary", Map.of("v1", 50, "v2", 50));
      Set<String> sticky = new HashSet<>();
      Set<String> loose = new HashSet<>();
      for (int i = 0; i < 40; i++) {
        sticky.add(faas.invoke("hello", "canary", FunctionRequest.get("/").withHeader("X-User", "ada")).bodyAsString());
        loose.add(faas.invoke("hello", "canary", FunctionRequest.get("/")
            .withHeader("X-Faas4j-Sticky", "ada")).bodyAsString());
      }
      assertThat(sticky).as("one version for one X-User").hasSize(1);
      assertThat(loose).as("the default header is no longer the sticky key: both versions answer").hasSize(2);
    });
  }

  @Test
  void maxInFlightAndMaxQueuedBoundTheRequestsServedAtOnce() {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    FunctionHandler slow = request -> {
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return FunctionResponse.ok("done");
    };
    web().withBean("slow", FunctionHandler.class, () -> slow)
        .withPropertyValues("faas4j.traffic.max-in-flight=1", "faas4j.traffic.max-queued=0").run(context -> {
          Faas faas = context.getBean(Faas.class);
          faas.deploy(FunctionSpec.builder("slow").version("v1").code("x").build(), null);
          CompletableFuture<FunctionResponse> first = CompletableFuture.supplyAsync(
              () -> faas.invoke("slow", null, FunctionRequest.get("/")));
          assertThat(entered.await(10, TimeUnit.SECONDS)).as("the first request runs").isTrue();
          assertThatThrownBy(() -> faas.invoke("slow", null, FunctionRequest.get("/")))
              .as("a second one, with no place and no line").isInstanceOf(FaasException.class)
              .extracting(e -> ((FaasException) e).reason()).isEqualTo(FaasException.Reason.TOO_MANY_REQUESTS);
          release.countDown();
          assertThat(first.get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("done");
        });
  }
}
