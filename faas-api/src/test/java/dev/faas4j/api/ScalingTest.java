package dev.faas4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScalingTest {

  private static final String CODE = "addEventListener('fetch', e => e.respondWith(new Response('x')))";

  @Test
  void aSpecWithoutScalingRunsOneReplicaAndIsNotKeptWarm() {
    FunctionSpec spec = FunctionSpec.builder("hello").version("v1").code(CODE).build();

    assertThat(spec.scaling()).isEqualTo(Scaling.DEFAULT);
    assertThat(spec.scaling().min()).isZero();
    assertThat(spec.scaling().max()).isOne();
    assertThat(spec.scaling().autoscaled()).as("the default is today's single, suspendable instance").isFalse();
  }

  @Test
  void absentWindowsTakeTheirDefaultsAndThePanicWindowIsATenth() {
    Scaling scaling = Scaling.of(1, 4, 5);

    assertThat(scaling.window()).isEqualTo(Duration.ofSeconds(60));
    assertThat(scaling.scaleDownDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(scaling.panicWindow()).isEqualTo(Duration.ofSeconds(6));
    assertThat(new Scaling(0, 2, 1, Duration.ofSeconds(2), null).panicWindow())
        .as("never shorter than a second").isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badValuesAreRefusedNamingTheField() {
    assertRefused(() -> Scaling.of(0, 0, 1), "scaling.max must be from 1 to 64, was 0");
    assertRefused(() -> Scaling.of(0, 65, 1), "scaling.max");
    assertRefused(() -> Scaling.of(3, 2, 1), "scaling.min must be from 0 to scaling.max (2), was 3");
    assertRefused(() -> Scaling.of(-1, 2, 1), "scaling.min");
    assertRefused(() -> Scaling.of(0, 2, 0), "scaling.target_concurrency");
    assertRefused(() -> new Scaling(0, 2, 1, Duration.ofMillis(999), null), "scaling.window");
    assertRefused(() -> new Scaling(0, 2, 1, null, Duration.ofSeconds(-1)), "scaling.scale_down_delay");
  }

  @Test
  void scalingIsPartOfAVersionsDefinition() {
    FunctionSpec one = FunctionSpec.builder("hello").version("v1").code(CODE).build();
    FunctionSpec three = FunctionSpec.builder("hello").version("v1").code(CODE).scaling(Scaling.of(1, 3, 1)).build();

    assertThat(one.sameDefinitionAs(three)).as("versions are immutable, their scaling too").isFalse();
    assertThat(three.withVersion("v2").scaling()).isEqualTo(three.scaling());
  }

  private static void assertRefused(Runnable build, String message) {
    assertThatThrownBy(build::run)
        .isInstanceOf(FaasException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((FaasException) e).reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }
}
