package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.core.testing.InMemoryProvider;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrency limits: a version's {@code maxConcurrency} and the node's {@code maxInFlightRequests},
 * with the line in front of them, over real HTTP ({@link FaasFilter} in Jetty) and through
 * {@link Faas#invoke}. Functions are in-process handlers that hold until the test lets them go.
 */
class ConcurrencyLimitTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Lets every held request answer. */
  private final CountDownLatch release = new CountDownLatch(1);
  /** The {@code X-N} header of each request, in the order the function began serving them. */
  private final List<String> served = new CopyOnWriteArrayList<>();
  private final InMemoryProvider provider = new InMemoryProvider(spec -> request -> {
    served.add(spec.name() + ":" + request.header("X-N"));
    try {
      release.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return FunctionResponse.text(200, "done " + request.header("X-N"));
  }, "js");
  private final List<Thread> clients = new ArrayList<>();
  private JettyHarness http;
  private Faas faas;

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    for (Thread client : clients) {
      client.join(60_000);
    }
    if (http != null) {
      http.close();
    } else if (faas != null) {
      faas.close();
    }
  }

  private void start(FaasBuilder builder) throws Exception {
    faas = builder.provider(provider).maintenanceInterval(Duration.ZERO).keepLatestWarm(false).build();
    http = new JettyHarness(faas);
  }

  private void deploy(String name, int maxConcurrency) {
    faas.deploy(FunctionSpec.builder(name).runtime("js").version("v1").code("x")
        .limits(Limits.NONE.withMaxConcurrency(maxConcurrency)).build(), null);
  }

  /** Sends {@code GET /} to {@code host} with {@code X-N: n} on a thread of its own; its answer goes to {@code answers}. */
  private void send(String host, int n, List<HttpResponse<String>> answers) {
    Thread client = new Thread(() -> {
      try {
        answers.add(http.client().send(java.net.http.HttpRequest.newBuilder(http.uri("/")).header("Host", host)
            .header("X-N", Integer.toString(n)).timeout(Duration.ofSeconds(60)).build(),
            HttpResponse.BodyHandlers.ofString()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "client-" + n);
    client.start();
    clients.add(client);
  }

  private static void await(String what, IntSupplier count, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count.getAsInt() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": " + count.getAsInt() + ", expected " + expected);
      }
      Thread.sleep(2);
    }
  }

  private JsonNode tooManyRequests(HttpResponse<String> answer) throws Exception {
    assertThat(answer.statusCode()).as("status; body %s", answer.body()).isEqualTo(429);
    assertThat(answer.headers().firstValue("Retry-After")).contains("1");
    assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.path("status").asText()).isEqualTo("error");
    return body;
  }

  @Test
  void requestsOverMaxConcurrencyWaitAndAreServedInArrivalOrder() throws Exception {
    start(Faas.builder().queueTimeout(Duration.ofMinutes(1)));
    deploy("slow", 1); // one at a time, so the order served is the order let in
    FunctionRef ref = new FunctionRef("slow", "v1");
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();

    send("slow.func.local", 1, answers);
    await("requests being served", served::size, 1);
    for (int n = 2; n <= 6; n++) {
      send("slow.func.local", n, answers);
      int queued = n - 1;
      await("requests in line", () -> http.faas.traffic().admission().queued(ref), queued);
    }
    assertThat(served).as("one at a time, the rest wait").containsExactly("slow:1");

    release.countDown();
    await("answers", answers::size, 6);

    assertThat(served).as("the order served").containsExactly("slow:1", "slow:2", "slow:3", "slow:4", "slow:5", "slow:6");
    assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
  }

  @Test
  void twoAtOnceServeTwoAtOnce() throws Exception {
    start(Faas.builder().queueTimeout(Duration.ofMinutes(1)));
    deploy("slow", 2);
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
    for (int n = 1; n <= 3; n++) {
      send("slow.func.local", n, answers);
    }
    await("requests in line", () -> http.faas.traffic().admission().queued(new FunctionRef("slow", "v1")), 1);
    await("requests being served", served::size, 2);

    release.countDown();
    await("answers", answers::size, 3);
    assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
  }

  @Test
  void aRequestBeyondAFullLineGets429WithRetryAfterAtOnce() throws Exception {
    start(Faas.builder().maxQueuedRequests(1).queueTimeout(Duration.ofMinutes(1)));
    deploy("slow", 1);
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
    send("slow.func.local", 1, answers);
    await("requests being served", served::size, 1);
    send("slow.func.local", 2, answers);
    await("requests in line", () -> http.faas.traffic().admission().queued(new FunctionRef("slow", "v1")), 1);

    JsonNode refused = tooManyRequests(http.get("slow.func.local", "/"));

    assertThat(refused.path("error").asText()).contains("slow:v1").contains("max_concurrency of 1");
    release.countDown();
    await("answers", answers::size, 2);
    assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
    assertThat(served).as("the refused request never reached the function").hasSize(2);
  }

  @Test
  void aRequestThatWaitedItsTimeGets429AndTheLineMovesOn() throws Exception {
    start(Faas.builder().queueTimeout(Duration.ofMillis(100)));
    deploy("slow", 1);
    deploy("other", 0);
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
    send("slow.func.local", 1, answers);
    await("requests being served", served::size, 1);

    JsonNode refused = tooManyRequests(http.get("slow.func.local", "/"));

    assertThat(refused.path("error").asText()).contains("waited 100 ms");
    assertThat(http.faas.traffic().admission().queued(new FunctionRef("slow", "v1"))).as("line after").isZero();
    send("other.func.local", 9, answers);
    await("a version without a limit is not held up", served::size, 2);
  }

  @Test
  void theNodeWideCapRefusesRequestsToEveryFunction() throws Exception {
    start(Faas.builder().maxInFlightRequests(2).maxQueuedRequests(0));
    deploy("a", 0);
    deploy("b", 0);
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
    send("a.func.local", 1, answers);
    send("b.func.local", 2, answers);
    await("requests being served", served::size, 2);

    JsonNode refused = tooManyRequests(http.get("b.func.local", "/"));
    assertThat(refused.path("error").asText()).contains("limit of 2 function requests");
    assertThatThrownBy(() -> faas.invoke("a", null, FunctionRequest.get("/")))
        .as("Faas.invoke is counted too").isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.TOO_MANY_REQUESTS));

    release.countDown();
    await("answers", answers::size, 2);
    // a place is given back once the exchange completes on the server, a moment after the client
    // has its answer: wait for it rather than race it
    await("places given back after the requests ended", () -> http.faas.traffic().admission().inFlight(), 0);
    assertThat(faas.invoke("a", null, FunctionRequest.get("/").withHeader("X-N", "3")).status()).isEqualTo(200);
  }

  @Test
  void maxConcurrencyComesFromTheDeployBodyAndBadValuesAreRefused() throws Exception {
    start(Faas.builder().maxQueuedRequests(0));
    HttpResponse<String> deployed = http.admin("POST", "/deploy/limited",
        "{\"code\":\"x\",\"version\":\"v1\",\"limits\":{\"max_concurrency\":1}}");
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(200);
    List<HttpResponse<String>> answers = new CopyOnWriteArrayList<>();
    send("limited.func.local", 1, answers);
    await("requests being served", served::size, 1);

    assertThat(tooManyRequests(http.get("limited.func.local", "/")).path("error").asText())
        .contains("max_concurrency of 1");

    for (String bad : List.of("-1", "1.5", "\"2\"", "3000000000")) {
      assertThat(http.admin("POST", "/deploy/bad", "{\"code\":\"x\",\"limits\":{\"max_concurrency\":" + bad + "}}")
          .statusCode()).as("max_concurrency %s", bad).isEqualTo(400);
    }
    assertThat(http.admin("GET", "/functions/bad", null).statusCode()).as("nothing was deployed").isEqualTo(404);
  }
}
