package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The meters a {@link Faas} with a registry reports, read as Prometheus scrapes them (Micrometer's
 * Prometheus registry): OpenFaaS's names and labels, faas4j's own, and no series left of a deleted
 * version.
 */
class MetricsTest {

  private final MutableClock clock = new MutableClock();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Answers with the code as body, or with the status it names ("status:503"). */
  private final InMemoryProvider provider = new InMemoryProvider(spec -> request -> spec.code().startsWith("status:")
      ? new FunctionResponse(Integer.parseInt(spec.code().substring(7)), java.util.Map.of(), new byte[0])
      : FunctionResponse.ok(spec.code()));
  private JettyHarness http;

  private Faas start(boolean keepLatestWarm) throws Exception {
    Faas faas = Faas.builder()
        .provider(provider)
        .store(new InMemoryStore())
        .clock(clock)
        .maintenanceInterval(Duration.ZERO)
        .syncInterval(Duration.ZERO)
        .heartbeatInterval(Duration.ZERO)
        .keepLatestWarm(keepLatestWarm)
        .proxy(proxy -> proxy.maxRequestBodyBytes(16))
        .meterRegistry(registry)
        .build();
    http = new JettyHarness(faas);
    return faas;
  }

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
    registry.close();
  }

  private static FunctionSpec version(String name, String version, String code) {
    return FunctionSpec.builder(name).runtime(InMemoryProvider.RUNTIME).version(version).code(code).build();
  }

  private Scrape scrape() {
    return new Scrape(registry.scrape());
  }

  /**
   * A scrape once {@code count} requests ended: a request is counted when its exchange is over,
   * which may be just after the client read the answer.
   */
  private Scrape scrapeAfter(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Scrape scrape = scrape();
      double ended = scrape.samples("gateway_function_invocation_total").stream()
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
      if (ended >= count || System.nanoTime() > deadline) {
        return scrape;
      }
      Thread.sleep(10);
    }
  }

  @Test
  void requestsAreCountedAndTimedUnderOpenFaasNames() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    faas.deploy(version("hello", "v2", "status:503"), null);
    for (int i = 0; i < 3; i++) {
      http.call("v1.hello.func.local");
    }
    assertThat(http.get("hello.func.local", "/").statusCode()).isEqualTo(503);

    Scrape scrape = scrapeAfter(4);
    assertThat(scrape.value("gateway_function_invocation_total", "function_name=hello", "version=v1", "code=200"))
        .as("three 200s of v1, counted under OpenFaaS's name and labels").hasValue(3.0);
    assertThat(scrape.value("gateway_function_invocation_total", "function_name=hello", "version=v2", "code=503"))
        .hasValue(1.0);
    assertThat(scrape.value("gateway_functions_seconds_count", "function_name=hello", "version=v1", "code=200"))
        .hasValue(3.0);
    assertThat(scrape.value("gateway_functions_seconds_bucket", "function_name=hello", "version=v1", "code=200",
        "le=+Inf")).as("a histogram, so that histogram_quantile works").hasValue(3.0);
    assertThat(scrape.value("gateway_function_invocation_started", "function_name=hello", "version=v1"))
        .as("OpenFaaS's exact name, without _total").hasValue(3.0);
    assertThat(scrape.value("gateway_service_count", "function_name=hello"))
        .as("both versions run: v1 was the latest, and v2 is").hasValue(2.0);
    assertThat(scrape.value("faas4j_instances", "state=running")).hasValue(2.0);
    assertThat(scrape.value("faas4j_deploys_total", "outcome=success")).hasValue(2.0);
  }

  @Test
  void theReplicasTheAutoscalerWantsAreReportedPerAutoscaledVersion() throws Exception {
    Faas faas = start(true);
    faas.deploy(FunctionSpec.builder("hot").runtime(InMemoryProvider.RUNTIME).version("v1").code("x")
        .scaling(dev.faas4j.api.Scaling.of(2, 3, 1)).build(), null);
    faas.deploy(version("plain", "v1", "y"), null);

    clock.advance(Duration.ofSeconds(1));
    faas.suspendIdle(); // a maintenance pass runs the autoscaler

    Scrape scrape = scrape();
    assertThat(scrape.value("gateway_service_desired_replicas", "function_name=hot", "version=v1"))
        .as("min 2, no load").hasValue(2.0);
    assertThat(scrape.samples("gateway_service_desired_replicas", "function_name=plain"))
        .as("a version without scaling has no such series").isEmpty();
    assertThat(scrape.value("gateway_service_count", "function_name=hot"))
        .as("the in-memory provider runs one instance whatever it is asked").hasValue(1.0);
  }

  @Test
  void startsAreCountedByCause() throws Exception {
    Faas faas = start(false);
    faas.deploy(version("hello", "v1", "one"), null);
    http.call("hello.func.local"); // first request
    scrapeAfter(1); // the request is over: its lease no longer keeps the version running
    clock.advance(Duration.ofMinutes(5));
    assertThat(faas.suspendIdle()).hasSize(1);
    assertThat(scrape().value("faas4j_instances", "state=suspended")).hasValue(1.0);
    http.call("hello.func.local"); // resume
    faas.deploy(version("other", "v1", "x"), null);
    faas.rollback("hello", "v1", null);

    Scrape scrape = scrape();
    assertThat(scrape.value("faas4j_instance_starts_seconds_count", "cause=first_request", "outcome=success"))
        .hasValue(1.0);
    assertThat(scrape.value("faas4j_instance_starts_seconds_count", "cause=resume", "outcome=success")).hasValue(1.0);
    assertThat(scrape.value("faas4j_instances", "state=running")).hasValue(1.0);
    assertThat(scrape.value("faas4j_instances", "state=stopped")).as("other's v1 never ran").hasValue(1.0);
  }

  @Test
  void refusedDeploysAreCountedByReason() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    assertThatThrownBy(() -> faas.deploy(version("hello", "v1", "other code"), null))
        .isInstanceOf(FaasException.class);

    assertThat(scrape().value("faas4j_deploys_total", "outcome=conflict")).hasValue(1.0);
    assertThat(scrape().value("faas4j_deploys_total", "outcome=success")).hasValue(1.0);
  }

  @Test
  void aBodyOverTheLimitIsAProxyFailure() throws Exception {
    start(true).deploy(version("hello", "v1", "one"), null);
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/"))
            .header("Host", "hello.func.local")
            .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);

    Scrape scrape = scrapeAfter(1);
    assertThat(scrape.value("faas4j_proxy_failures_total", "function_name=hello", "kind=body_too_large"))
        .hasValue(1.0);
    assertThat(scrape.value("gateway_function_invocation_total", "function_name=hello", "code=413")).hasValue(1.0);
  }

  @Test
  void aDeletedVersionLeavesNoSeries() throws Exception {
    Faas faas = start(true);
    faas.deploy(version("hello", "v1", "one"), null);
    faas.deploy(version("hello", "v2", "two"), null);
    faas.deploy(version("gone", "v1", "bye"), null);
    http.call("v1.hello.func.local");
    http.call("v2.hello.func.local");
    http.call("gone.func.local");
    assertThat(scrapeAfter(3).samples("gateway_function_invocation_total", "version=v1")).hasSize(2);

    faas.deleteVersion("hello", "v1", false);
    faas.deleteFunction("gone");

    Scrape scrape = scrape();
    assertThat(scrape.samples("gateway_function_invocation_total", "function_name=hello", "version=v1")).isEmpty();
    assertThat(scrape.samples("gateway_functions_seconds_bucket", "function_name=hello", "version=v1")).isEmpty();
    assertThat(scrape.samples("gateway_function_invocation_started", "function_name=hello", "version=v1")).isEmpty();
    assertThat(scrape.mentions("function_name=gone")).as("nothing names the deleted function").isFalse();
    assertThat(scrape.value("gateway_function_invocation_total", "function_name=hello", "version=v2", "code=200"))
        .as("the remaining version keeps its series").hasValue(1.0);
    assertThat(scrape.value("gateway_service_count", "function_name=hello")).hasValue(1.0);
  }

  @Test
  void storeWriteRetriesAndTheChangeFeedsLagAreReported() throws Exception {
    InMemoryStore shared = new InMemoryStore();
    InMemoryProvider otherProvider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
    try (Faas other = Faas.builder().provider(otherProvider).store(shared).syncInterval(Duration.ZERO)
            .heartbeatInterval(Duration.ZERO).maintenanceInterval(Duration.ZERO).build();
        Faas measured = Faas.builder().provider(provider).store(shared).syncInterval(Duration.ZERO)
            .heartbeatInterval(Duration.ZERO).maintenanceInterval(Duration.ZERO).meterRegistry(registry).build()) {
      other.deploy(version("hello", "v1", "one"), null);

      // this node has not followed the feed: its first write loses the race and is tried again
      measured.deploy(version("hello", "v2", "two"), null);
      assertThat(scrape().value("faas4j_store_write_retries_total")).hasValue(1.0);

      other.deploy(version("hello", "v3", "three"), null);
      measured.syncWithStore();
      assertThat(scrape().value("faas4j_change_apply_lag_seconds_count").orElse(0))
          .as("every change read from the feed is timed").isPositive();
    }
  }
}
