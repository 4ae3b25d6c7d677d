package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.testing.InMemoryProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Faas#invoke}: a call from inside the JVM takes the path of function traffic (resolution,
 * start on demand, hop limit, body limit, timeouts, the proxy) without HTTP between caller and
 * faas4j, against in-process functions and against a real HTTP upstream.
 */
@ExtendWith(NoLeakedThreads.class)
class InvokeTest {

  /** Runtime "js" in process: answers with its code, the method and path it saw, its body and its hop count. */
  private final InMemoryProvider inProcess = new InMemoryProvider(spec -> request -> switch (spec.code()) {
    case "fail" -> throw new IllegalStateException("the function broke");
    case "teapot" -> FunctionResponse.text(418, "short and stout");
    default -> new FunctionResponse(200, Map.of("X-Code", List.of(spec.code())), (spec.code() + " " + request.method()
        + " " + request.path() + "?" + request.query() + " hops=" + request.header("X-Faas4j-Hops") + " body="
        + request.bodyAsString() + " type=" + request.header("content-type")).getBytes(StandardCharsets.UTF_8));
  }, "js");
  private final MutableClock clock = new MutableClock();
  /** Lets the upstream's {@code /stall} answer go on. */
  private final CountDownLatch releaseUpstream = new CountDownLatch(1);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    releaseUpstream.countDown();
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private Faas inProcessFaas() {
    Faas faas = Faas.builder().provider(inProcess).clock(clock).maintenanceInterval(Duration.ZERO)
        .keepLatestWarm(false).proxy(proxy -> proxy.maxRequestBodyBytes(64)).build();
    closing.add(faas);
    return faas;
  }

  private static void deploy(Faas faas, String name, String version, String code, String alias) {
    faas.deploy(FunctionSpec.builder(name).runtime("js").version(version).code(code).build(), alias);
  }

  @Test
  void invokeServesTheLatestVersionAnAliasOrAVersion() {
    Faas faas = inProcessFaas();
    deploy(faas, "hello", "v1", "one", null);
    deploy(faas, "hello", "v2", "two", "test");
    faas.rollback("hello", "v1", null);

    assertThat(faas.invoke("hello", null, FunctionRequest.get("/")).header("x-code")).as("null: latest").isEqualTo("one");
    assertThat(faas.invoke("hello", "", FunctionRequest.get("/")).header("X-Code")).as("empty: latest").isEqualTo("one");
    assertThat(faas.invoke("hello", "test", FunctionRequest.get("/")).header("X-Code")).as("alias").isEqualTo("two");
    assertThat(faas.invoke("HELLO", "V2", FunctionRequest.get("/")).header("X-Code")).as("any case").isEqualTo("two");
  }

  @Test
  void theFunctionSeesMethodPathQueryHeadersAndBody() {
    Faas faas = inProcessFaas();
    deploy(faas, "echo", "v1", "echo", null);

    FunctionResponse answer = faas.invoke("echo", "v1",
        FunctionRequest.post("/orders/7?x=1&y=2", "{\"n\":3}").withHeader("Content-Type", "application/json"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.bodyAsString())
        .isEqualTo("echo POST /orders/7?x=1&y=2 hops=1 body={\"n\":3} type=application/json");
  }

  @Test
  void aFunctionsOwnErrorStatusIsReturnedNotThrown() {
    Faas faas = inProcessFaas();
    deploy(faas, "pot", "v1", "teapot", null);

    FunctionResponse answer = faas.invoke("pot", null, FunctionRequest.get("/"));

    assertThat(answer.status()).isEqualTo(418);
    assertThat(answer.bodyAsString()).isEqualTo("short and stout");
  }

  @Test
  void anUnknownFunctionOrVersionIsNotFound() {
    Faas faas = inProcessFaas();
    deploy(faas, "hello", "v1", "one", null);

    assertThatThrownBy(() -> faas.invoke("nobody", null, FunctionRequest.get("/")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
        .hasMessageContaining("nobody");
    assertThatThrownBy(() -> faas.invoke("hello", "v9", FunctionRequest.get("/")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
        .hasMessageContaining("v9");
  }

  @Test
  void aNameThatIsNotALabelIsInvalid() {
    Faas faas = inProcessFaas();

    assertThatThrownBy(() -> faas.invoke("a/b", null, FunctionRequest.get("/")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST));
    assertThatThrownBy(() -> faas.invoke("hello", "v 1", FunctionRequest.get("/")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST));
  }

  @Test
  void aSuspendedVersionIsStartedAgain() {
    Faas faas = inProcessFaas();
    deploy(faas, "hello", "v1", "one", null);
    FunctionRef v1 = new FunctionRef("hello", "v1");
    faas.invoke("hello", "v1", FunctionRequest.get("/"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(faas.suspendIdle()).contains(v1);
    assertThat(inProcess.isRunning(v1)).isFalse();

    FunctionResponse answer = faas.invoke("hello", "v1", FunctionRequest.get("/"));

    assertThat(answer.header("X-Code")).isEqualTo("one");
    assertThat(inProcess.starts(v1)).as("started on the first call and again after suspension").isEqualTo(2);
  }

  @Test
  void theHopCountIsPassedOnAndItsLimitApplies() {
    Faas faas = inProcessFaas();
    deploy(faas, "hello", "v1", "one", null);

    assertThat(faas.invoke("hello", null, FunctionRequest.get("/").withHeader("X-Faas4j-Hops", "4")).bodyAsString())
        .contains("hops=5");
    assertThatThrownBy(() -> faas.invoke("hello", null, FunctionRequest.get("/").withHeader("X-Faas4j-Hops", "16")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.LOOP_DETECTED));
  }

  @Test
  void aBodyOverTheLimitIsRefused() {
    Faas faas = inProcessFaas();
    deploy(faas, "hello", "v1", "one", null);

    assertThatThrownBy(() -> faas.invoke("hello", null, FunctionRequest.post("/", "x".repeat(65))))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PAYLOAD_TOO_LARGE));
  }

  @Test
  void aFunctionThatThrowsIsAnUpstreamError() {
    Faas faas = inProcessFaas();
    deploy(faas, "bad", "v1", "fail", null);

    assertThatThrownBy(() -> faas.invoke("bad", null, FunctionRequest.get("/")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_ERROR))
        .hasMessageContaining("the function broke");
  }

  @Test
  void afterCloseInvokeIsUnavailable() {
    Faas faas = inProcessFaas();
    deploy(faas, "hello", "v1", "one", null);
    faas.close();

    assertThatThrownBy(() -> faas.invoke("hello", null, FunctionRequest.get("/")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE));
  }

  // ---------------------------------------------------------------------------------------------
  // over HTTP: the proxy's blocking mode against a real upstream server

  private Faas overHttpFaas() throws Exception {
    int upstream = started(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (Request.getPathInContext(request).equals("/stall")) {
          releaseUpstream.await();
        }
        StringBuilder seen = new StringBuilder(request.getMethod() + " " + request.getHttpURI().getPathQuery() + "\n");
        for (HttpField field : request.getHeaders()) {
          seen.append(field.getName()).append(": ").append(field.getValue()).append('\n');
        }
        seen.append("body=").append(Content.Source.asString(request, StandardCharsets.UTF_8));
        response.setStatus(201);
        response.getHeaders().put("X-Upstream", "yes");
        Content.Sink.write(response, true, seen.toString(), callback);
        return true;
      }
    });
    Faas faas = Faas.builder().provider(new OverHttpProvider(new InMemoryProvider(spec -> request -> FunctionResponse.ok("unused")), Endpoint.Http.loopback(upstream)))
        .maintenanceInterval(Duration.ZERO).build();
    closing.add(faas);
    return faas;
  }

  private int started(Handler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    closing.add(server::stop);
    return connector.getLocalPort();
  }

  private static void deployOverHttp(Faas faas, String name, Limits limits) {
    faas.deploy(FunctionSpec.builder(name).runtime(InMemoryProvider.RUNTIME).version("v1").code(name)
        .limits(limits).build(), "live");
  }

  @Test
  void overHttpTheRequestAndTheWholeAnswerCross() throws Exception {
    Faas faas = overHttpFaas();
    deployOverHttp(faas, "remote", Limits.NONE);

    FunctionResponse answer = faas.invoke("remote", "live",
        FunctionRequest.post("/p/q?a=b", "payload").withHeader("X-Trace", "t1").withHeader("X-Trace", "t2"));

    assertThat(answer.status()).isEqualTo(201);
    assertThat(answer.header("x-upstream")).isEqualTo("yes");
    assertThat(answer.bodyAsString())
        .startsWith("POST /p/q?a=b\n")
        .contains("Host: live.remote.func.local\n", "X-Trace: t1\n", "X-Trace: t2\n", "X-Faas4j-Hops: 1\n",
            "X-Forwarded-For: 127.0.0.1\n", "Content-Length: 7\n")
        .endsWith("body=payload");
  }

  @Test
  void overHttpAHostTheRequestNamesIsKept() throws Exception {
    Faas faas = overHttpFaas();
    deployOverHttp(faas, "remote", Limits.NONE);

    FunctionResponse answer = faas.invoke("remote", null, FunctionRequest.get("/").withHeader("Host", "shop.example"));

    assertThat(answer.bodyAsString()).contains("Host: shop.example\n").doesNotContain("remote.func.local");
  }

  @Test
  void overHttpAFunctionThatDoesNotAnswerInTimeIsATimeout() throws Exception {
    Faas faas = overHttpFaas();
    deployOverHttp(faas, "slow", new Limits(0, 0, 0, Duration.ofMillis(300)));

    assertThatThrownBy(() -> faas.invoke("slow", null, FunctionRequest.get("/stall")))
        .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UPSTREAM_TIMEOUT))
        .hasMessageContaining("300 ms");
  }
}
