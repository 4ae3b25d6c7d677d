package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Asynchronous invocations through FaasFilter with an in-process provider: accepted with 202 and
 * an id once stored, run by the workers with retries, answered to a callback, refused with 429
 * beyond the queue depth, and never sent to a callback URL that is not public.
 */
class AsyncCallsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final InMemoryStore store = new InMemoryStore();
  private final ConcurrentLinkedQueue<FunctionRequest> seen = new ConcurrentLinkedQueue<>();
  private JettyHarness http;
  private HttpServer receiver;

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  /** Starts faas4j with function hello answering with {@code handler}. */
  private void start(Function<FunctionRequest, FunctionResponse> handler, Function<FaasBuilder, FaasBuilder> more)
      throws Exception {
    InMemoryProvider provider = new InMemoryProvider(spec -> request -> {
      seen.add(request);
      return handler.apply(request);
    }, "js");
    http = new JettyHarness(more.apply(Faas.builder().provider(provider).store(store)
        .maintenanceInterval(Duration.ZERO).async(async -> async.retries(3, Duration.ofMillis(20), Duration.ofMillis(100)))).build());
    http.faas.deploy(FunctionSpec.builder("hello").version("v1").code("c").build(), null);
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String accepted(HttpResponse<String> response) {
    assertThat(response.statusCode()).as("status; body: " + response.body()).isEqualTo(202);
    String id = response.headers().firstValue("X-Call-Id").orElseThrow();
    assertThat(response.body()).contains(id);
    return id;
  }

  /** The call once it is no longer pending (polls the admin API). */
  private JsonNode finished(String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      HttpResponse<String> answer = http.admin("GET", "/calls/" + id, null);
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode call = JSON.readTree(answer.body()).path("call");
      String state = call.path("state").asText();
      if (state.equals("succeeded") || state.equals("failed")) {
        return call;
      }
      assertThat(System.nanoTime()).as("call %s still %s", id, state).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void anAcceptedCallIsStoredBeforeThe202AndRunsWithItsPathQueryAndBody() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    start(request -> {
      await(hold);
      return FunctionResponse.ok("done");
    }, b -> b.nodeId("node-a"));

    String id = accepted(post("/async-function/hello/orders?x=1", "the body", "Content-Type", "text/plain"));

    AsyncCall stored = store.call(id).orElseThrow();
    assertThat(stored.state()).as("committed before the answer").isEqualTo(AsyncCall.State.QUEUED);
    hold.countDown();
    JsonNode call = finished(id);
    assertThat(call.path("state").asText()).isEqualTo("succeeded");
    assertThat(call.path("functionStatus").asInt()).isEqualTo(200);
    assertThat(call.path("node").asText()).as("the node that ran it").isEqualTo("node-a");
    FunctionRequest request = seen.peek();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/orders");
    assertThat(request.query()).isEqualTo("x=1");
    assertThat(request.bodyAsString()).isEqualTo("the body");
    assertThat(request.header("Content-Type")).isEqualTo("text/plain");
  }

  @Test
  void anyFunctionRequestWithTheAsyncHeaderIsAsynchronous() throws Exception {
    start(request -> FunctionResponse.ok("done"), b -> b);

    HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(http.uri("/by-host"))
        .header("Host", "v1.hello.func.local").header("X-Faas4j-Async", "true")
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(finished(accepted(response)).path("version").asText()).isEqualTo("v1");
    assertThat(seen.peek().path()).isEqualTo("/by-host");
  }

  @Test
  void fiveHundredsAreRetriedWithBackoffUntilTheFunctionAnswers() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(request -> calls.incrementAndGet() < 3 ? FunctionResponse.text(503, "busy") : FunctionResponse.ok("ok"),
        b -> b);

    JsonNode call = finished(accepted(post("/async-function/hello", "")));

    assertThat(call.path("state").asText()).isEqualTo("succeeded");
    assertThat(calls.get()).as("attempts").isEqualTo(3);
  }

  @Test
  void afterTheLastAttemptTheCallFailsAndA4xxIsNotRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(request -> {
      calls.incrementAndGet();
      return FunctionResponse.text(request.path().equals("/bad") ? 400 : 500, "no");
    }, b -> b);

    JsonNode failed = finished(accepted(post("/async-function/hello/boom", "")));
    assertThat(failed.path("state").asText()).isEqualTo("failed");
    assertThat(failed.path("detail").asText()).contains("gave up after 3 attempt(s)");
    assertThat(calls.getAndSet(0)).isEqualTo(3);

    JsonNode bad = finished(accepted(post("/async-function/hello/bad", "")));
    assertThat(bad.path("state").asText()).as("a 4xx is the function's answer").isEqualTo("succeeded");
    assertThat(bad.path("functionStatus").asInt()).isEqualTo(400);
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void theCallbackReceivesTheAnswerWithTheCallIdAndStatus() throws Exception {
    ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("X-Call-Id") + " "
          + exchange.getRequestHeaders().getFirst("X-Function-Status") + " "
          + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    start(request -> FunctionResponse.text(201, "made " + request.bodyAsString()), b -> b.async(async -> async.callbackAllow("127.0.0.1/32")));

    String id = accepted(post("/async-function/hello", "it", "X-Callback-Url",
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));

    assertThat(finished(id).path("state").asText()).isEqualTo("succeeded");
    assertThat(received).containsExactly("POST " + id + " 201 made it");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:9/hook", "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.5.4/",
      "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://localhost/", "http://0.0.0.0/",
      "ftp://example.com/", "not a url"})
  void aCallbackUrlThatIsNotPublicIsRefusedWith400AndNothingIsQueued(String url) throws Exception {
    start(request -> FunctionResponse.ok("x"), b -> b);

    HttpResponse<String> refused = post("/async-function/hello", "", "X-Callback-Url", url);

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    assertThat(store.pending()).isZero();
    assertThat(seen).isEmpty();
  }

  @Test
  void beyondTheQueueDepthACallGets429WithRetryAfter() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    start(request -> {
      await(hold);
      return FunctionResponse.ok("x");
    }, b -> b.async(async -> async.queueDepth(2).workers(1)));
    try {
      List<String> ids = List.of(accepted(post("/async-function/hello", "1")), accepted(post("/async-function/hello", "2")));

      HttpResponse<String> refused = post("/async-function/hello", "3");

      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
      hold.countDown();
      for (String id : ids) {
        assertThat(finished(id).path("state").asText()).isEqualTo("succeeded");
      }
      assertThat(accepted(post("/async-function/hello", "4"))).as("room again").isNotEmpty();
    } finally {
      hold.countDown();
    }
  }

  @Test
  void unknownFunctionsAndCallsAre404() throws Exception {
    start(request -> FunctionResponse.ok("x"), b -> b);

    assertThat(post("/async-function/nobody", "").statusCode()).isEqualTo(404);
    assertThat(post("/async-function/hello@v9", "").statusCode()).isEqualTo(404);
    assertThat(http.admin("GET", "/calls/no-such-call", null).statusCode()).isEqualTo(404);
    assertThat(store.pending()).isZero();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
