package dev.faas4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficSplitTest {

  @Test
  void weightsAreSortedByCanonicalVersionNameAndLaidOutInThatOrder() {
    TrafficSplit split = TrafficSplit.of("V2", 10, "v1", 90);

    assertThat(split.weights()).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));
    assertThat(split.total()).isEqualTo(100);
    assertThat(split.versionAt(0)).isEqualTo("v1");
    assertThat(split.versionAt(89)).isEqualTo("v1");
    assertThat(split.versionAt(90)).isEqualTo("v2");
    assertThat(split.versionAt(99)).isEqualTo("v2");
    assertThatThrownBy(() -> split.versionAt(100)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aVersionWithWeightZeroHasNoRangeAndServesNothing() {
    TrafficSplit split = TrafficSplit.of("v1", 0, "v2", 100);

    assertThat(split.versionAt(0)).isEqualTo("v2");
    assertThat(split.serves("v1")).isFalse();
    assertThat(split.serves("v2")).isTrue();
    assertThat(split.primary()).isEqualTo("v2");
  }

  @Test
  void thePrimaryIsTheHeaviestVersionAndTheFirstByNameAmongEquals() {
    assertThat(TrafficSplit.of("b", 50, "a", 50).primary()).isEqualTo("a");
    assertThat(TrafficSplit.of("b", 51, "a", 49).primary()).isEqualTo("b");
  }

  @Test
  void badWeightsAreRefusedAsInvalidRequests() {
    Map<String, Integer> nullWeight = new HashMap<>();
    nullWeight.put("v1", null);
    for (Map<String, Integer> bad : List.of(Map.<String, Integer>of(), Map.of("v1", 0, "v2", 0), Map.of("v1", -1),
        Map.of("v1", TrafficSplit.MAX_WEIGHT + 1), Map.of("not a label", 1), Map.of("v1", 1, "V1", 1), nullWeight,
        Map.of("a", 1, "b", 1, "c", 1, "d", 1, "e", 1, "f", 1))) {
      assertThatThrownBy(() -> new TrafficSplit(bad)).as("%s", bad).isInstanceOfSatisfying(FaasException.class,
          e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
    }
  }

  @Test
  void aStateRefusesWeightsOnAnUnknownAliasOrVersionOrAPrimaryItDoesNotMapTheAliasTo() {
    FunctionVersion v1 = new FunctionVersion(FunctionSpec.builder("hello").version("v1").code("x").build(), Instant.EPOCH);
    FunctionVersion v2 = new FunctionVersion(FunctionSpec.builder("hello").version("v2").code("y").build(), Instant.EPOCH);
    TrafficSplit split = TrafficSplit.of("v1", 90, "v2", 10);

    assertThat(new FunctionState("hello", 1, List.of(v1, v2), Map.of("prod", "v1"), "v2", Map.of("PROD", split))
        .split("Prod")).contains(split);
    assertThatThrownBy(() -> new FunctionState("hello", 1, List.of(v1, v2), Map.of(), "v2", Map.of("prod", split)))
        .as("no such alias").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FunctionState("hello", 1, List.of(v1, v2), Map.of("prod", "v2"), "v2",
        Map.of("prod", split))).as("alias mapped to v2, primary v1").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FunctionState("hello", 1, List.of(v1), Map.of("prod", "v1"), "v1",
        Map.of("prod", split))).as("v2 not kept").isInstanceOf(IllegalArgumentException.class);
  }
}
