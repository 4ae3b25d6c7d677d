package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Weighted aliases through {@link Faas}: the split of traffic matches the weights, a sticky key keeps
 * a client on one version on every node, the answering version is named, and weighted versions stay
 * warm. Functions are in-process handlers that answer with their version.
 */
class WeightedAliasTest {

  /** Chi-square critical values at p = 0.001, by degrees of freedom (1, 2). */
  private static final double[] CRITICAL_0_001 = {Double.NaN, 10.828, 13.816};

  private final InMemoryProvider provider = new InMemoryProvider(
      spec -> request -> FunctionResponse.text(200, spec.version()), "js");
  private final MutableClock clock = new MutableClock();
  private final List<Faas> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(Faas::close);
  }

  private Faas faas(InMemoryStore store, boolean keepWarm) {
    Faas faas = Faas.builder().provider(provider).store(store).clock(clock).maintenanceInterval(Duration.ZERO)
        .syncInterval(Duration.ZERO).heartbeatInterval(Duration.ZERO).keepLatestWarm(keepWarm).build();
    opened.add(faas);
    return faas;
  }

  private Faas withVersions(String... versions) {
    Faas faas = faas(new InMemoryStore(), false);
    deployAll(faas, versions);
    return faas;
  }

  /** Deploys versions of hello that answer with their name, the last one becoming the latest. */
  private static void deployAll(Faas faas, String... versions) {
    for (String version : versions) {
      faas.deploy(FunctionSpec.builder("hello").runtime("js").version(version).code(version).build(), null);
    }
  }

  private static String call(Faas faas, String selector, String key) {
    FunctionRequest request = FunctionRequest.get("/");
    if (key != null) {
      request = request.withHeader("X-Faas4j-Sticky", key);
    }
    FunctionResponse response = faas.invoke("hello", selector, request);
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.header("X-Faas4j-Version")).as("the version header names the version that answered")
        .isEqualTo(body);
    return body;
  }

  /** Sends 10,000 requests with keys user-0 ... user-9999 and counts them by the version that answered. */
  private static Map<String, Integer> split(Faas faas, String alias) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(call(faas, alias, "user-" + i), 1, Integer::sum);
    }
    return counts;
  }

  /** Pearson's chi-square statistic of {@code observed} against {@code weights}. */
  private static double chiSquare(Map<String, Integer> observed, Map<String, Integer> weights) {
    double total = observed.values().stream().mapToInt(Integer::intValue).sum();
    double weightSum = weights.values().stream().mapToInt(Integer::intValue).sum();
    double statistic = 0;
    for (Map.Entry<String, Integer> weight : weights.entrySet()) {
      double expected = total * weight.getValue() / weightSum;
      double difference = observed.getOrDefault(weight.getKey(), 0) - expected;
      statistic += difference * difference / expected;
    }
    return statistic;
  }

  @Test
  void tenThousandKeyedRequestsSplitAsTheWeightsSay() {
    Faas faas = withVersions("v1", "v2", "v3");
    for (Map<String, Integer> weights : List.of(Map.of("v1", 90, "v2", 10), Map.of("v1", 50, "v2", 30, "v3", 20))) {
      faas.setWeights("hello", "prod", weights);

      Map<String, Integer> observed = split(faas, "prod");
      double statistic = chiSquare(observed, weights);

      assertThat(observed.keySet()).as("only weighted versions answer").isEqualTo(weights.keySet());
      assertThat(statistic).as("chi-square of %s against %s, %d degrees of freedom", observed, weights,
          weights.size() - 1).isLessThan(CRITICAL_0_001[weights.size() - 1]);
    }
  }

  @Test
  void requestsWithoutAKeySplitAsTheWeightsSayToo() {
    Faas faas = withVersions("v1", "v2");
    faas.setWeights("hello", "prod", Map.of("v1", 70, "v2", 30));

    Map<String, Integer> observed = new TreeMap<>();
    for (int i = 0; i < 10_000; i++) {
      observed.merge(call(faas, "prod", null), 1, Integer::sum);
    }

    // Random placement: this fails once in a thousand runs when the split is right, and always when it is off.
    assertThat(chiSquare(observed, Map.of("v1", 70, "v2", 30))).as("chi-square of %s", observed)
        .isLessThan(CRITICAL_0_001[1]);
  }

  @Test
  void theStatisticTellsAWrongSplitFromARightOne() {
    Faas faas = withVersions("v1", "v2");
    faas.setWeights("hello", "prod", Map.of("v1", 80, "v2", 20));

    assertThat(chiSquare(split(faas, "prod"), Map.of("v1", 90, "v2", 10)))
        .as("an 80/20 split measured against 90/10 is rejected").isGreaterThan(CRITICAL_0_001[1]);
  }

  @Test
  void aKeyStaysOnItsVersionOnEveryNodeWhileTheWeightsStay() {
    InMemoryStore store = new InMemoryStore();
    Faas one = faas(store, false);
    deployAll(one, "v1", "v2");
    one.setWeights("hello", "prod", Map.of("v1", 50, "v2", 50));
    Faas two = faas(store, false);

    for (int i = 0; i < 200; i++) {
      String key = "client-" + i;
      String first = call(one, "prod", key);
      for (int repeat = 0; repeat < 5; repeat++) {
        assertThat(call(one, "prod", key)).as("key %s again on node one", key).isEqualTo(first);
        assertThat(call(two, "prod", key)).as("key %s on node two", key).isEqualTo(first);
      }
    }
  }

  @Test
  void theStickyCookieKeepsAClientOnItsVersionWhenThereIsNoHeader() {
    Faas faas = withVersions("v1", "v2");
    faas.setWeights("hello", "prod", Map.of("v1", 50, "v2", 50));
    Map<String, Integer> seen = new TreeMap<>();

    for (int i = 0; i < 100; i++) {
      FunctionRequest request = FunctionRequest.get("/").withHeader("Cookie", "a=b; faas4j-sticky=c" + i + "; z=1");
      String first = new String(faas.invoke("hello", "prod", request).body(), StandardCharsets.UTF_8);
      for (int repeat = 0; repeat < 5; repeat++) {
        assertThat(new String(faas.invoke("hello", "prod", request).body(), StandardCharsets.UTF_8))
            .as("cookie c%d", i).isEqualTo(first);
      }
      seen.merge(first, 1, Integer::sum);
    }
    assertThat(seen).as("cookies spread over both versions").containsOnlyKeys("v1", "v2");
  }

  @Test
  void keysOnTheCanaryStayThereAsItGrows() {
    Faas faas = withVersions("v1", "v2");
    faas.setWeights("hello", "prod", Map.of("v1", 90, "v2", 10));
    List<String> onCanary = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      if (call(faas, "prod", "k" + i).equals("v2")) {
        onCanary.add("k" + i);
      }
    }

    faas.setWeights("hello", "prod", Map.of("v1", 60, "v2", 40));

    assertThat(onCanary).as("keys on v2 at 90/10").isNotEmpty()
        .allSatisfy(key -> assertThat(call(faas, "prod", key)).as(key).isEqualTo("v2"));
  }

  @Test
  void theAliasShowsItsWeightsAndItsPrimaryVersion() {
    Faas faas = withVersions("v1", "v2");

    Map<String, Integer> set = faas.setWeights("hello", "PROD", Map.of("V2", 10, "v1", 90));

    assertThat(set).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));
    FunctionInfo info = faas.describe("hello");
    assertThat(info.weights()).containsExactly(Map.entry("prod", set));
    assertThat(info.aliases()).containsEntry("prod", "v1");
    assertThat(call(faas, "v2", "any")).as("a version name still reaches that version").isEqualTo("v2");
    assertThat(call(faas, null, "any")).as("the bare host serves the latest only").isEqualTo("v2");

    faas.setAlias("hello", "prod", "v2");
    assertThat(faas.describe("hello").weights()).as("one version ends the split").isEmpty();
    assertThat(split(faas, "prod")).containsOnlyKeys("v2");
  }

  @Test
  void badWeightsAreRefusedAndChangeNothing() {
    Faas faas = withVersions("v1", "v2");
    faas.setWeights("hello", "prod", Map.of("v1", 90, "v2", 10));
    FunctionInfo before = faas.describe("hello");

    for (Map<String, Integer> bad : List.of(Map.of("v1", 0, "v2", 0), Map.of("v1", -1, "v2", 5), Map.<String, Integer>of(),
        Map.of("v1", 1, "v2", 1, "a", 1, "b", 1, "c", 1, "d", 1))) {
      assertThatThrownBy(() -> faas.setWeights("hello", "prod", bad)).as("%s", bad)
          .isInstanceOfSatisfying(FaasException.class,
              e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
    }
    assertThatThrownBy(() -> faas.setWeights("hello", "prod", Map.of("v1", 50, "v9", 50)))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.NOT_FOUND));
    assertThatThrownBy(() -> faas.setWeights("hello", "v1", Map.of("v1", 50, "v2", 50)))
        .as("an alias named as a version").isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.CONFLICT));

    assertThat(faas.describe("hello")).as("state after the refusals").isEqualTo(before);
  }

  @Test
  void deletingAWeightedVersionNeedsForceAndLeavesTheRestOfTheSplit() {
    Faas faas = withVersions("v1", "v2", "v3");
    faas.setWeights("hello", "prod", Map.of("v1", 80, "v2", 20));
    faas.setWeights("hello", "only", Map.of("v1", 0, "v2", 10));

    assertThatThrownBy(() -> faas.deleteVersion("hello", "v2", false)).isInstanceOfSatisfying(FaasException.class,
        e -> assertThat(e.getMessage()).contains("weighted alias 'prod'"));

    faas.deleteVersion("hello", "v2", true);

    FunctionInfo info = faas.describe("hello");
    assertThat(info.weights()).as("prod keeps v1; only had weight only on v2").containsExactly(
        Map.entry("prod", Map.of("v1", 80)));
    assertThat(info.aliases()).containsExactly(Map.entry("prod", "v1"));
  }

  @Test
  void weightedVersionsStayWarmWhileTheyHaveWeight() {
    Faas faas = faas(new InMemoryStore(), true);
    deployAll(faas, "v1", "v2", "v3");
    FunctionRef v1 = new FunctionRef("hello", "v1");
    FunctionRef v2 = new FunctionRef("hello", "v2");
    faas.setWeights("hello", "prod", Map.of("v1", 90, "v2", 10));
    assertThat(provider.isRunning(v1)).as("v1 started when given weight").isTrue();
    assertThat(provider.isRunning(v2)).as("v2 started when given weight").isTrue();

    clock.advance(Duration.ofHours(1));
    assertThat(faas.suspendIdle()).as("idle, but weighted").doesNotContain(v1, v2);

    faas.setWeights("hello", "prod", Map.of("v1", 0, "v2", 100));
    clock.advance(Duration.ofHours(1));
    assertThat(faas.suspendIdle()).as("v1 has weight 0 now").contains(v1).doesNotContain(v2);
  }

  @Test
  void anotherNodeFollowsAChangeOfWeights() {
    InMemoryStore store = new InMemoryStore();
    Faas one = faas(store, false);
    deployAll(one, "v1", "v2");
    one.setWeights("hello", "prod", Map.of("v1", 100, "v2", 0));
    Faas two = faas(store, false);
    assertThat(split(two, "prod")).containsOnlyKeys("v1");

    one.setWeights("hello", "prod", Map.of("v1", 0, "v2", 100));
    two.syncWithStore();

    assertThat(split(two, "prod")).as("node two after following the feed").containsOnlyKeys("v2");
    Map<String, Map<String, Integer>> expected = new LinkedHashMap<>();
    expected.put("prod", Map.of("v1", 0, "v2", 100));
    assertThat(two.describe("hello").weights()).isEqualTo(expected);
  }
}
