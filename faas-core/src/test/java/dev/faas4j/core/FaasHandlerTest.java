package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.RefusedPort;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FaasHandler} end to end: a real Jetty 12 server with the handler in front of the
 * application's handler, real HTTP clients, and functions that are real HTTP servers reached
 * through the proxy (runtime "java", the in-memory lifecycle over HTTP) or in-process handlers
 * (runtime "js"). Where the filter and the handler must agree, the same request goes to both.
 *
 * <p>The server's thread pool (the one FaasHandler hands blocking work to) is not the one its
 * connector does I/O on, and counts the tasks it is given: a request that the handler serves on
 * the I/O thread leaves it untouched.
 */
@ExtendWith(NoLeakedThreads.class)
class FaasHandlerTest {

  /** Runtime "java": the lifecycle of versions reached over HTTP, at the {@link EchoUpstream} each test starts. */
  private final InMemoryProvider lifecycle = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
  /**
   * Runtime "js": in-process functions, answering with their code and the path they saw; the one
   * whose code is "loader" answers with the name of the class loader it runs with.
   */
  private final InMemoryProvider inProcess = new InMemoryProvider(spec -> request -> FunctionResponse.ok(
      spec.code().equals("loader") ? "function in " + Thread.currentThread().getContextClassLoader().getName()
          : spec.code() + " saw " + request.path() + "?" + request.query()), "js");
  private final MutableClock clock = new MutableClock();
  /** Lets the upstream's {@code /stall} answer go on. */
  private final CountDownLatch releaseUpstream = new CountDownLatch(1);
  private final List<Server> servers = new ArrayList<>();
  private final HttpClient client = new HttpClient();
  /** Speaks HTTP/2 over cleartext with prior knowledge (h2c). */
  private final HttpClient h2cClient = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
  private Faas faas;
  /** The thread pool of the server that runs FaasHandler. */
  private CountingThreadPool appThreads;

  @BeforeEach
  void start() throws Exception {
    Server upstream = started(new Server(pool("test-upstream")), new EchoUpstream());
    faas = Faas.builder()
        .provider(new OverHttpProvider(lifecycle, Endpoint.Http.loopback(port(upstream))))
        .provider(inProcess)
        .store(new InMemoryStore())
        .clock(clock)
        .idleTimeout(Duration.ofSeconds(60))
        .maintenanceInterval(Duration.ZERO)
        .keepLatestWarm(false) // every version starts on its first request: cold starts on demand
        .mountPath("/fn")
        .build();
    for (HttpClient each : List.of(client, h2cClient)) {
      each.setFollowRedirects(false);
      // every name is this machine, so a request can name a function host as its authority
      each.setSocketAddressResolver((host, port, attributes, promise) ->
          promise.succeeded(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))));
      each.start();
    }
  }

  @AfterEach
  void stop() throws Exception {
    try {
      lifecycle.releaseStarts();
      releaseUpstream.countDown();
      client.stop();
      h2cClient.stop();
      for (Server server : servers) {
        server.stop();
      }
    } finally {
      faas.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // function traffic

  @Test
  void aFunctionIsServedByHost() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");

    ContentResponse latest = get(port, "hello.func.local", "/a/b?x=1");
    ContentResponse byVersion = get(port, "v1.hello.func.local", "/");

    assertThat(latest.getStatus()).as("status; body: %s", latest.getContentAsString()).isEqualTo(200);
    assertThat(latest.getContentAsString()).as("what the function saw").isEqualTo("GET /a/b?x=1");
    assertThat(byVersion.getContentAsString()).isEqualTo("GET /");
  }

  @Test
  void aFunctionIsServedUnderTheMountPathWhichItDoesNotSee() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    faas.deploy(spec("hello", "v2", "two"), "test");

    assertThat(get(port, "127.0.0.1", "/fn/hello/a/b?x=1").getContentAsString()).isEqualTo("GET /a/b?x=1");
    assertThat(get(port, "127.0.0.1", "/fn/hello@v1").getContentAsString()).isEqualTo("GET /");
    assertThat(get(port, "127.0.0.1", "/fn/hello@test/t").getContentAsString()).isEqualTo("GET /t");
  }

  @Test
  void theRequestBodyReachesTheFunctionOnAColdStartAndOnceItRuns() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");

    ContentResponse cold = post(port, "hello.func.local", "/upload", "first body");
    ContentResponse warm = post(port, "hello.func.local", "/upload", "second body");

    assertThat(cold.getContentAsString()).as("served after the start").isEqualTo("POST /upload first body");
    assertThat(warm.getContentAsString()).as("served on the I/O thread").isEqualTo("POST /upload second body");
  }

  @Test
  void anInProcessFunctionIsServed() throws Exception {
    int port = handlerServer(null);
    faas.deploy(FunctionSpec.builder("local").runtime("js").version("v1").code("local-v1").build(), null);

    assertThat(get(port, "local.func.local", "/p?q=1").getContentAsString()).isEqualTo("local-v1 saw /p?q=1");
    assertThat(get(port, "local.func.local", "/p?q=2").getContentAsString()).as("once it runs")
        .isEqualTo("local-v1 saw /p?q=2");
  }

  /**
   * The same request to FaasFilter and to FaasHandler gets the same error answer, and so does the
   * handler over HTTP/2, where the request's :authority (with its port) stands for the Host.
   */
  @ParameterizedTest(name = "{0}{1}: {2}")
  @CsvSource(delimiter = ' ', value = {
      "nobody.func.local / 404",       // unknown function
      "v9.hello.func.local / 404",     // unknown version
      "a.b.hello.func.local / 404",    // a host under the domain that names no function
      "127.0.0.1 /fn/nobody/x 404",    // unknown function by path
      "127.0.0.1 /fn/hello@v9 404",    // unknown version by path
      "127.0.0.1 /fn/no_such! 404",    // not a function name
      "broken.func.local / 503",       // a version that cannot start
  })
  void errorsAreTheFiltersJsonAnswers(String host, String path, int status) throws Exception {
    int viaHandler = handlerServer(null);
    int viaFilter = filterServer();
    int viaHttp2 = h2cHandlerServer();
    deploy("hello", "v1");
    deploy("broken", "v1");
    lifecycle.failStarts(new FunctionRef("broken", "v1"), "boom: out of coffee");

    ContentResponse filter = get(viaFilter, host, path);
    ContentResponse handler = get(viaHandler, host, path);
    ContentResponse http2 = h2c(viaHttp2, host, path).send();

    assertError(filter, status);
    assertThat(handler.getStatus()).as("status; body: %s", handler.getContentAsString()).isEqualTo(filter.getStatus());
    assertThat(filter.getContentAsString()).as("every JSON error names the request's id")
        .containsPattern("\"requestId\":\"[0-9a-f]{32}\"");
    assertThat(withoutRequestId(handler.getContentAsString())).as("body")
        .isEqualTo(withoutRequestId(filter.getContentAsString()));
    assertThat(handler.getHeaders().get(HttpHeader.CONTENT_TYPE)).as("content type")
        .isEqualToIgnoringCase(filter.getHeaders().get(HttpHeader.CONTENT_TYPE));
    assertThat(http2.getVersion()).as("spoken over HTTP/2").isEqualTo(HttpVersion.HTTP_2);
    assertThat(http2.getStatus()).as("HTTP/2 status; body: %s", http2.getContentAsString()).isEqualTo(status);
    assertThat(withoutRequestId(http2.getContentAsString()).replace(":" + viaHttp2, "")).as("HTTP/2 body, less the port")
        .isEqualTo(withoutRequestId(filter.getContentAsString()));
    assertThat(http2.getHeaders().get(HttpHeader.CONTENT_TYPE)).as("HTTP/2 content type")
        .isEqualToIgnoringCase(filter.getHeaders().get(HttpHeader.CONTENT_TYPE));
  }

  /** A JSON error less its request id, which each request gets anew. */
  private static String withoutRequestId(String body) {
    return body.replaceAll(",\"requestId\":\"[^\"]*\"", "");
  }

  @Test
  void aVersionThatCannotStartAnswers503WithTheReason() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    lifecycle.failStarts(new FunctionRef("hello", "v1"), "boom: out of coffee");

    ContentResponse response = get(port, "hello.func.local", "/");

    assertThat(assertError(response, 503)).contains("out of coffee");
  }

  /**
   * What the filter passes on untouched reaches the function untouched through the handler too.
   * (Jetty refuses ambiguous paths such as {@code %2F} or {@code %25} in a path with 400 before
   * any handler or filter sees them, unless the application relaxes its URI compliance.)
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "/a%20b/%C3%A9t%C3%A9;v=1?q=a%26b&r=%2B+x&s&t=%C3%A9",
      "/a%3Fb/%23c/~%7E?e=%3D%3D&f=a%2Fb&g=%25",
      "/plus+sign?x=a+b",
  })
  void theRawPathAndQueryReachTheFunctionUnchanged(String pathAndQuery) throws Exception {
    int viaHandler = handlerServer(null);
    int viaFilter = filterServer();
    deploy("hello", "v1");

    ContentResponse byHost = get(viaHandler, "hello.func.local", pathAndQuery);
    ContentResponse byPath = get(viaHandler, "127.0.0.1", "/fn/hello" + pathAndQuery);
    ContentResponse filter = get(viaFilter, "hello.func.local", pathAndQuery);

    assertThat(byHost.getContentAsString()).as("by host").isEqualTo("GET " + pathAndQuery);
    assertThat(byPath.getContentAsString()).as("by path").isEqualTo("GET " + pathAndQuery);
    assertThat(filter.getContentAsString()).as("through the filter").isEqualTo("GET " + pathAndQuery);
  }

  @Test
  void aLargeAnswerStreamsThroughOnTheIoThreads() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    get(port, "hello.func.local", "/"); // started
    int size = 8 << 20;

    int tasks = appThreads.tasks();
    ContentResponse response = new CompletableResponseListener(request(port, "hello.func.local", "/large/" + size), size)
        .send().get(60, TimeUnit.SECONDS);

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContent().length).as("length").isEqualTo(size);
    assertThat(crc(response.getContent())).as("CRC-32 of the answer").isEqualTo(crc(bytes(size)));
    assertThat(appThreads.tasks()).as("tasks given to the server's pool").isEqualTo(tasks);
  }

  @Test
  void aLargeRequestBodyOfUnknownLengthReachesTheFunctionOnAColdStartAndOnceItRuns() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    byte[] body = bytes(4 << 20);
    String expected = "POST /count " + body.length + " " + crc(body);

    for (String when : List.of("cold start", "running")) {
      // a stream's length is unknown: sent chunked (a content closed before it is sent has a length)
      InputStreamRequestContent chunked = new InputStreamRequestContent(new ByteArrayInputStream(body));
      ContentResponse response = request(port, "hello.func.local", "/count").method("POST").body(chunked)
          .timeout(60, TimeUnit.SECONDS).send();
      assertThat(response.getContentAsString()).as(when).isEqualTo(expected);
    }
  }

  @Test
  void aHeadRequestGetsTheHeadOfTheAnswerWithoutItsBody() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    String getBody = get(port, "hello.func.local", "/h").getContentAsString(); // also starts it

    ContentResponse head = request(port, "hello.func.local", "/h").method("HEAD").send();

    assertThat(head.getStatus()).isEqualTo(200);
    assertThat(head.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH)).as("the length a GET gets")
        .isEqualTo("HEAD /h".length());
    assertThat(getBody).isEqualTo("GET /h");
    assertThat(head.getContent()).as("no body").isEmpty();
    assertThat(get(port, "hello.func.local", "/after").getContentAsString()).as("the connection goes on")
        .isEqualTo("GET /after");
  }

  @Test
  void aClientExpecting100ContinueSendsItsBodyOnAColdStartAndOnceItRuns() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");

    for (String when : List.of("cold start", "running")) {
      ContentResponse response = request(port, "hello.func.local", "/continue").method("POST")
          .headers(headers -> headers.put(HttpHeader.EXPECT, "100-continue"))
          .body(new StringRequestContent("body after 100")).send();
      assertThat(response.getContentAsString()).as(when).isEqualTo("POST /continue body after 100");
    }
  }

  @Test
  void aFunctionThatCannotBeReachedAnswers502() throws Exception {
    try (RefusedPort dead = new RefusedPort()) {
      InMemoryProvider unreachable = new InMemoryProvider(spec -> request -> FunctionResponse.ok("unused"), "gone");
      faas.close();
      faas = Faas.builder().provider(new OverHttpProvider(unreachable, Endpoint.Http.loopback(dead.port())))
          .maintenanceInterval(Duration.ZERO).build();
      int port = handlerServer(null);
      faas.deploy(FunctionSpec.builder("hello").runtime("gone").version("v1").code("x").build(), null);

      ContentResponse response = get(port, "hello.func.local", "/");

      assertError(response, 502);
    }
  }


  @Test
  void aClientThatLeavesMidAnswerGivesItsVersionBack() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    get(port, "hello.func.local", "/"); // started: the next request is served on the I/O thread
    CountDownLatch firstPart = new CountDownLatch(1);

    CompletableFuture<ContentResponse> answer = new CompletableResponseListener(request(port, "hello.func.local", "/stall")
        .onResponseContent((response, content) -> firstPart.countDown())).send();
    assertThat(firstPart.await(30, TimeUnit.SECONDS)).as("the answer has started").isTrue();
    assertThat(faas.describe("hello").versions().get(0).activeRequests()).as("leased while answering").isEqualTo(1);
    answer.cancel(true); // the client aborts its request and closes the connection
    releaseUpstream.countDown(); // an endless answer: only the proxy dropping it ends it

    awaitCondition(() -> faas.describe("hello").versions().get(0).activeRequests() == 0);
    clock.advance(Duration.ofSeconds(61));
    assertThat(faas.suspendIdle()).as("idle once the aborted answer is over").containsExactly(new FunctionRef("hello", "v1"));
  }

  // ---------------------------------------------------------------------------------------------
  // everything else

  @Test
  void otherRequestsReachAWrappedServletContext() throws Exception {
    int port = handlerServer(servletApp(false));
    deploy("hello", "v1");

    ContentResponse app = get(port, "myapp.example.com", "/app/orders?id=3");
    ContentResponse bareDomain = get(port, "func.local", "/app/x");

    assertThat(app.getStatus()).isEqualTo(200);
    assertThat(app.getContentAsString()).isEqualTo("app:/app/orders?id=3");
    assertThat(bareDomain.getContentAsString()).as("the bare domain is not a function").isEqualTo("app:/app/x");
    assertThat(get(port, "myapp.example.com", "/elsewhere").getStatus()).as("not mapped by the app").isEqualTo(404);
    assertThat(get(port, "hello.func.local", "/app/x").getContentAsString()).as("a function host")
        .isEqualTo("GET /app/x");
  }

  @Test
  void otherRequestsReachAWrappedNonBlockingHandler() throws Exception {
    int port = handlerServer(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getHttpURI().getPath().startsWith("/core")) {
          return false;
        }
        Content.Sink.write(response, true, "core:" + request.getHttpURI().getPathQuery(), callback);
        return true;
      }
    });

    assertThat(get(port, "myapp.example.com", "/core/x?y=1").getContentAsString()).isEqualTo("core:/core/x?y=1");
    assertThat(get(port, "myapp.example.com", "/other").getStatus()).as("declined by the app").isEqualTo(404);
    assertThat(appThreads.tasks()).as("tasks given to the server's pool for a non-blocking app").isZero();
  }

  @Test
  void withoutAWrappedHandlerOtherRequestsAre404() throws Exception {
    int port = handlerServer(null);

    ContentResponse response = get(port, "myapp.example.com", "/app/x");

    assertThat(response.getStatus()).isEqualTo(404);
  }

  @Test
  void aFailingWrappedServletAnswers500AndTheServerGoesOn() throws Exception {
    int port = handlerServer(servletApp(true));
    deploy("hello", "v1");

    assertThat(get(port, "myapp.example.com", "/app/fail").getStatus()).isEqualTo(500);
    assertThat(get(port, "myapp.example.com", "/app/ok").getContentAsString()).isEqualTo("app:/app/ok");
    assertThat(get(port, "hello.func.local", "/").getContentAsString()).isEqualTo("GET /");
  }

  @Test
  void aBlockingCoreHandlerThatDeclinesOrThrowsGetsJettysErrorAnswer() throws Exception {
    int port = handlerServer(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        if (request.getHttpURI().getPath().equals("/throw")) {
          throw new IllegalStateException("the application failed");
        }
        return false;
      }
    });

    assertThat(get(port, "myapp.example.com", "/decline").getStatus()).as("declined").isEqualTo(404);
    assertThat(get(port, "myapp.example.com", "/throw").getStatus()).as("threw").isEqualTo(500);
  }

  @Test
  void insideAContextHandlerPathsAreWithinTheContextAndHandedOffWorkRunsInItsScope() throws Exception {
    try (URLClassLoader contextLoader = new URLClassLoader("context-loader", new URL[0], getClass().getClassLoader())) {
      ContextHandler context = new ContextHandler("/ctx");
      context.setClassLoader(contextLoader);
      context.setHandler(new FaasHandler(faas, new Handler.Abstract() { // blocking: handed off
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          Content.Sink.write(response, true, "app in " + Thread.currentThread().getContextClassLoader().getName(), callback);
          return true;
        }
      }));
      int port = server(context);
      deploy("hello", "v1");
      faas.deploy(FunctionSpec.builder("local").runtime("js").version("v1").code("loader").build(), null);

      assertThat(get(port, "127.0.0.1", "/ctx/fn/hello/x?y=1").getContentAsString()).as("mount path in the context")
          .isEqualTo("GET /x?y=1");
      assertThat(get(port, "127.0.0.1", "/ctx/fn/local/x").getContentAsString()).as("an in-process function")
          .isEqualTo("function in context-loader");
      assertThat(get(port, "127.0.0.1", "/ctx/other").getContentAsString()).as("the application")
          .isEqualTo("app in context-loader");
    }
  }

  @Test
  void whenTheServersPoolRefusesWorkTheClientGetsA503() throws Exception {
    int port = handlerServer(servletApp(false));
    deploy("hello", "v1");
    appThreads.refuse(true);

    ContentResponse function = get(port, "hello.func.local", "/");
    ContentResponse app = get(port, "myapp.example.com", "/app/x");

    assertThat(assertError(function, 503)).as("a cold start refused").contains("the server").doesNotContain("Exception");
    assertThat(app.getStatus()).as("a servlet request refused").isEqualTo(503);
    appThreads.refuse(false);
    assertThat(get(port, "hello.func.local", "/").getStatus()).as("once the pool takes work again").isEqualTo(200);
    assertThat(get(port, "myapp.example.com", "/app/x").getStatus()).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------
  // which thread does the work

  @Test
  void aServerWithOnlyNonBlockingHandlersIsNonBlocking() throws Exception {
    handlerServer(null);

    assertThat(servers.get(servers.size() - 1).getInvocationType())
        .as("so Jetty calls FaasHandler on the thread that parsed the request")
        .isEqualTo(InvocationType.NON_BLOCKING);
  }

  @Test
  void aRunningVersionIsServedWithoutTheServersThreadPool() throws Exception {
    int port = handlerServer(servletApp(false));
    deploy("hello", "v1");
    get(port, "hello.func.local", "/cold");
    int afterColdStart = appThreads.tasks();

    for (int i = 0; i < 5; i++) {
      assertThat(get(port, "hello.func.local", "/warm").getContentAsString()).isEqualTo("GET /warm");
      assertThat(get(port, "V1.Hello.FUNC.local", "/warm").getContentAsString()).isEqualTo("GET /warm");
      assertThat(get(port, "127.0.0.1", "/fn/hello@v1/warm").getContentAsString()).isEqualTo("GET /warm");
    }

    assertThat(afterColdStart).as("tasks for the cold start").isEqualTo(1);
    assertThat(appThreads.tasks() - afterColdStart).as("tasks for 15 requests to a running version").isZero();
  }

  @Test
  void whatMayBlockIsHandedToTheServersThreadPool() throws Exception {
    int port = handlerServer(servletApp(false));
    deploy("hello", "v1");
    faas.deploy(FunctionSpec.builder("local").runtime("js").version("v1").code("local-v1").build(), null);
    get(port, "local.func.local", "/"); // started

    assertThat(tasksFor(() -> get(port, "hello.func.local", "/"))).as("a cold start").isEqualTo(1);
    assertThat(tasksFor(() -> get(port, "myapp.example.com", "/app/x"))).as("a servlet request").isEqualTo(1);
    assertThat(tasksFor(() -> get(port, "local.func.local", "/"))).as("a running in-process function").isEqualTo(1);
    assertThat(tasksFor(() -> get(port, "nobody.func.local", "/"))).as("a function to look up in the store")
        .isEqualTo(1);
  }

  // ---------------------------------------------------------------------------------------------
  // starts and shutdown

  @Test
  void aColdStartWaitsForTheStartAndAnswers200() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");

    CompletableFuture<ContentResponse> answer = waitingForAStart(port, "/first");
    CompletableFuture<ContentResponse> second = getAsync(port, "127.0.0.1", "/fn/hello/second");
    awaitCondition(() -> faas.describe("hello").versions().get(0).activeRequests() == 2);
    assertThat(answer).as("answered while the start is held").isNotDone();
    lifecycle.releaseStarts();

    assertThat(answer.get(30, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    assertThat(answer.get().getContentAsString()).isEqualTo("GET /first");
    assertThat(second.get(30, TimeUnit.SECONDS).getContentAsString()).isEqualTo("GET /second");
    assertThat(lifecycle.starts(new FunctionRef("hello", "v1"))).as("starts").isEqualTo(1);
  }

  @Test
  void aRequestWhileFaasIsClosedGetsA503AndTheApplicationStillAnswers() throws Exception {
    int port = handlerServer(servletApp(false));
    deploy("hello", "v1");
    get(port, "hello.func.local", "/"); // running: this request would be served on the I/O thread
    deploy("cold", "v1");

    faas.close();

    for (String host : List.of("hello.func.local", "cold.func.local", "nobody.func.local")) {
      assertThat(assertError(get(port, host, "/"), 503)).as(host).contains("faas4j is shut down");
    }
    assertThat(get(port, "myapp.example.com", "/app/x").getContentAsString()).isEqualTo("app:/app/x");
  }

  @Test
  void aRequestWaitingForAStartWhenFaasClosesGetsAnError() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    CompletableFuture<ContentResponse> answer = waitingForAStart(port, "/");

    faas.close();

    assertThat(assertError(answer.get(30, TimeUnit.SECONDS), 503))
        .as("the reason is named, not 'null'").doesNotContain(": null");
  }

  @Test
  void everyRequestGivesItsVersionBackSoIdleVersionsAreSuspended() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    faas.deploy(FunctionSpec.builder("local").runtime("js").version("v1").code("local-v1").build(), null);
    for (int i = 0; i < 3; i++) { // a cold start, then the I/O thread; in-process: handed off each time
      assertThat(get(port, "hello.func.local", "/").getStatus()).isEqualTo(200);
      assertThat(get(port, "local.func.local", "/").getStatus()).isEqualTo(200);
    }
    awaitCondition(() -> faas.list().stream().flatMap(f -> f.versions().stream()).allMatch(v -> v.activeRequests() == 0));

    clock.advance(Duration.ofSeconds(61));

    assertThat(faas.suspendIdle()).as("suspended after the idle timeout")
        .containsExactlyInAnyOrder(new FunctionRef("hello", "v1"), new FunctionRef("local", "v1"));
  }

  @Test
  void requestsServedOnTheIoThreadKeepTheirVersionAwake() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    get(port, "hello.func.local", "/");

    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(40));
      int tasks = appThreads.tasks();
      assertThat(get(port, "hello.func.local", "/").getStatus()).isEqualTo(200);
      assertThat(appThreads.tasks()).as("served on the I/O thread").isEqualTo(tasks);
      awaitCondition(() -> faas.describe("hello").versions().get(0).activeRequests() == 0);
      assertThat(faas.suspendIdle()).as("used 40 s ago").isEmpty();
    }
  }

  @Test
  void aCrashedInstanceIsRestartedByTheNextRequest() throws Exception {
    int port = handlerServer(null);
    deploy("hello", "v1");
    FunctionRef v1 = new FunctionRef("hello", "v1");
    get(port, "hello.func.local", "/");

    lifecycle.crash(v1);

    assertThat(get(port, "hello.func.local", "/").getContentAsString()).isEqualTo("GET /");
    assertThat(lifecycle.starts(v1)).isEqualTo(2);
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP/2: no Host header, the :authority names the function; bodies framed by DATA frames

  @Test
  void overHttp2AFunctionIsServedByItsAuthority() throws Exception {
    int port = h2cHandlerServer();
    deploy("hello", "v1");
    faas.deploy(FunctionSpec.builder("local").runtime("js").version("v1").code("local-v1").build(), null);

    ContentResponse latest = h2c(port, "hello.func.local", "/a/b?x=1").send();
    ContentResponse byVersion = h2c(port, "v1.hello.func.local", "/").send();
    ContentResponse inProcess = h2c(port, "local.func.local", "/p?q=1").send();

    assertThat(latest.getVersion()).as("spoken over HTTP/2").isEqualTo(HttpVersion.HTTP_2);
    assertThat(latest.getStatus()).as("status; body: %s", latest.getContentAsString()).isEqualTo(200);
    assertThat(latest.getContentAsString()).as("what the function saw").isEqualTo("GET /a/b?x=1");
    assertThat(byVersion.getContentAsString()).as("a version by its authority").isEqualTo("GET /");
    assertThat(inProcess.getContentAsString()).as("an in-process function").isEqualTo("local-v1 saw /p?q=1");
  }

  @Test
  void overHttp2ABodyOfUndeclaredLengthReachesTheFunctionOnAColdStartAndOnceItRuns() throws Exception {
    int port = h2cHandlerServer();
    deploy("hello", "v1");
    byte[] body = bytes(300 << 10);
    String expected = "POST /count " + body.length + " " + crc(body);

    for (String when : List.of("cold start", "running")) {
      // a stream's length is unknown: HEADERS without content-length, then DATA frames
      ContentResponse response = h2c(port, "hello.func.local", "/count").method("POST")
          .body(new InputStreamRequestContent(new ByteArrayInputStream(body))).send();
      assertThat(response.getContentAsString()).as(when).isEqualTo(expected);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private void deploy(String name, String version) {
    faas.deploy(spec(name, version, name + "-" + version), null);
  }

  private static FunctionSpec spec(String name, String version, String code) {
    return FunctionSpec.builder(name).runtime(InMemoryProvider.RUNTIME).version(version).code(code).build();
  }

  /** A server with FaasHandler in front of {@code next}; returns its port. */
  private int handlerServer(Handler next) throws Exception {
    return server(new FaasHandler(faas, next));
  }

  /** A server with FaasHandler (and nothing behind it) that speaks HTTP/2 over cleartext only. */
  private int h2cHandlerServer() throws Exception {
    return server(new FaasHandler(faas), new HTTP2CServerConnectionFactory());
  }

  /** A server whose pool counts its tasks, with {@code handler}; returns its port. */
  private int server(Handler handler) throws Exception {
    return server(handler, new HttpConnectionFactory());
  }

  private int server(Handler handler, ConnectionFactory protocol) throws Exception {
    appThreads = new CountingThreadPool();
    Server server = new Server(appThreads);
    QueuedThreadPool io = pool("test-io");
    ServerConnector connector = new ServerConnector(server, io, null, null, -1, -1, protocol);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.addBean(io, true);
    started(server, handler);
    appThreads.reset();
    return port(server);
  }

  /** A server with FaasFilter (async-supported) in front of the same application servlet. */
  private int filterServer() throws Exception {
    ServletContextHandler context = servletApp(false);
    FilterHolder functions = new FilterHolder(new FaasFilter(faas));
    functions.setAsyncSupported(true);
    context.addFilter(functions, "/*", EnumSet.of(DispatcherType.REQUEST));
    return port(started(new Server(pool("test-filter")), context));
  }

  /** The application: {@code /app/*} answers "app:" with its path and query; {@code /app/fail} throws. */
  private static ServletContextHandler servletApp(boolean failing) {
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (failing && request.getRequestURI().endsWith("/fail")) {
          throw new IllegalStateException("the application failed");
        }
        String query = request.getQueryString();
        response.setContentType("text/plain");
        response.getWriter().print("app:" + request.getRequestURI() + (query == null ? "" : "?" + query));
      }
    }), "/app/*");
    return context;
  }

  private Server started(Server server, Handler handler) throws Exception {
    if (handler != null) {
      server.setHandler(handler);
    }
    if (server.getConnectors().length == 0) {
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
    }
    servers.add(server);
    server.start();
    return server;
  }

  private static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  private static QueuedThreadPool pool(String name) {
    QueuedThreadPool pool = new QueuedThreadPool();
    pool.setName(name);
    return pool;
  }

  private org.eclipse.jetty.client.Request request(int port, String host, String pathAndQuery) {
    return client.newRequest("127.0.0.1", port)
        .path(pathAndQuery)
        .headers(headers -> headers.put(HttpHeader.HOST, host))
        .timeout(30, TimeUnit.SECONDS);
  }

  /** A request over HTTP/2 to {@code host}, whose name is its {@code :authority}, at this machine's {@code port}. */
  private org.eclipse.jetty.client.Request h2c(int port, String host, String pathAndQuery) {
    return h2cClient.newRequest("http://" + host + ":" + port + pathAndQuery).timeout(30, TimeUnit.SECONDS);
  }

  private ContentResponse get(int port, String host, String pathAndQuery) throws Exception {
    return request(port, host, pathAndQuery).send();
  }

  private ContentResponse post(int port, String host, String pathAndQuery, String body) throws Exception {
    return request(port, host, pathAndQuery).method("POST").body(new StringRequestContent(body)).send();
  }

  private CompletableFuture<ContentResponse> getAsync(int port, String host, String pathAndQuery) {
    return new CompletableResponseListener(request(port, host, pathAndQuery)).send();
  }

  /** Sends GET {@code path} to hello.func.local, whose start is held, and waits until the start is under way. */
  private CompletableFuture<ContentResponse> waitingForAStart(int port, String path) throws InterruptedException {
    lifecycle.holdStarts();
    CompletableFuture<ContentResponse> answer = getAsync(port, "hello.func.local", path);
    awaitCondition(() -> lifecycle.heldStarts() == 1);
    return answer;
  }

  /** How many tasks the server's pool was given while {@code request} ran. */
  private int tasksFor(Callable<?> request) throws Exception {
    int before = appThreads.tasks();
    request.call();
    return appThreads.tasks() - before;
  }

  /** {@code size} bytes of a fixed pattern that is not periodic in any buffer size. */
  private static byte[] bytes(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + i / 251);
    }
    return bytes;
  }

  private static long crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }

  /** Asserts a JSON error answer with {@code status}; returns its message. */
  private static String assertError(ContentResponse response, int status) {
    String body = response.getContentAsString();
    assertThat(response.getStatus()).as("status; body: %s", body).isEqualTo(status);
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).as("content type").startsWith("application/json");
    assertThat(body).as("a JSON error").startsWith("{\"status\":\"error\",\"error\":\"").endsWith("\"}");
    return body;
  }

  private static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 30s");
      }
      Thread.sleep(5);
    }
  }

  /** The server's own pool: its connector does I/O on another one, so every task here is a hand-off. */
  private static final class CountingThreadPool extends QueuedThreadPool {
    private final AtomicInteger tasks = new AtomicInteger();
    private volatile boolean refuse;

    CountingThreadPool() {
      setName("test-app");
    }

    @Override
    public void execute(Runnable task) {
      tasks.incrementAndGet();
      if (refuse) {
        throw new RejectedExecutionException("refused by the test");
      }
      super.execute(task);
    }

    /** Makes the pool refuse every task, as a full queue or a stopping pool does. */
    void refuse(boolean refuse) {
      this.refuse = refuse;
    }

    int tasks() {
      return tasks.get();
    }

    void reset() {
      tasks.set(0);
    }
  }

  /**
   * A function over HTTP. Answers "{method} {raw path and query}", then " {body}" if there is one;
   * but {@code /large/N} answers N bytes of {@link #bytes}, {@code /count} answers the length and
   * CRC-32 of the body it read, and {@code /stall} answers "first", then waits for {@link
   * #releaseUpstream} and sends a gigabyte more.
   */
  private final class EchoUpstream extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = request.getHttpURI().getPath();
      if (path.startsWith("/large/") || path.equals("/stall")) {
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
          if (path.equals("/stall")) {
            out.write("first".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            releaseUpstream.await();
            byte[] more = bytes(64 << 10);
            for (int i = 0; i < 16 << 10; i++) { // a gigabyte: ends early only if the proxy drops it
              out.write(more);
            }
          } else {
            out.write(bytes(Integer.parseInt(path.substring("/large/".length()))));
          }
        } catch (IOException e) {
          callback.failed(e); // the proxy went away
          return true;
        }
        callback.succeeded();
        return true;
      }
      byte[] body = Content.Source.asInputStream(request).readAllBytes();
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
      String answer = request.getMethod() + " " + request.getHttpURI().getPathQuery() + (path.equals("/count")
          ? " " + body.length + " " + crc(body) : body.length == 0 ? "" : " " + new String(body, StandardCharsets.UTF_8));
      Content.Sink.write(response, true, answer, callback);
      return true;
    }
  }
}
