package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@code X-Faas4j-Hops} request header, through {@link FaasFilter} and {@link FaasHandler}
 * alike: every function gets the count its request arrived with plus one, and a request that
 * arrives at the limit is answered 508 before it reaches a function, which ends a function that
 * calls itself through faas4j.
 */
@ExtendWith(NoLeakedThreads.class)
class HopLimitTest {

  private static final String HOPS = "X-Faas4j-Hops";

  /** How faas4j is mounted in the server. */
  enum Mount { FILTER, HANDLER }

  /** Calls of the "recurse" function: the count each one saw and the status of its own call. */
  private final ConcurrentLinkedQueue<String> levels = new ConcurrentLinkedQueue<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private int port;

  /**
   * Runtime "js", in process: "recurse" calls itself through the server, passing the hop header
   * on; any other function answers with the hop count it saw.
   */
  private final InMemoryProvider inProcess = new InMemoryProvider(spec -> request -> {
    calls.incrementAndGet();
    if (!spec.code().equals("recurse")) {
      return FunctionResponse.ok("hops=" + request.header(HOPS));
    }
    String status = callItself(request);
    levels.add(request.header(HOPS) + " got " + status);
    return FunctionResponse.ok("done");
  }, "js");

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private void start(Mount mount, FaasBuilder builder) throws Exception {
    Faas faas = builder.provider(inProcess).store(new InMemoryStore()).build();
    closing.add(faas::close);
    if (mount == Mount.FILTER) {
      ServletContextHandler context = new ServletContextHandler();
      FilterHolder filter = new FilterHolder(new FaasFilter(faas));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
      port = started(context);
    } else {
      port = started(new FaasHandler(faas));
    }
    faas.deploy(FunctionSpec.builder("recurse").runtime("js").version("v1").code("recurse").build(), null);
    faas.deploy(FunctionSpec.builder("count").runtime("js").version("v1").code("count").build(), null);
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

  /** GET / at {@code host} with the given header lines; the whole raw answer (Connection: close). */
  private String get(String host, String... headerLines) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
      for (String line : headerLines) {
        request.append(line).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String status(String answer) {
    return answer.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3);
  }

  private String callItself(FunctionRequest request) {
    String hops = request.header(HOPS);
    return status(hops == null ? get("recurse.func.local") : get("recurse.func.local", HOPS + ": " + hops));
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void aFunctionThatCallsItselfIsStoppedAtTheDefaultLimit(Mount mount) throws Exception {
    start(mount, Faas.builder());

    String answer = get("recurse.func.local");

    assertThat(status(answer)).as("the outermost call's status; answer:\n%s", answer).isEqualTo("200");
    List<String> expected = new ArrayList<>();
    expected.add("16 got 508");
    for (int hops = 15; hops >= 1; hops--) {
      expected.add(hops + " got 200");
    }
    assertThat(levels).as("each call of the function: the count it saw, then what its own call got")
        .containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void aRequestThatArrivesAtTheLimitIsRefusedWith508BeforeAnyFunctionRuns(Mount mount) throws Exception {
    start(mount, Faas.builder().proxy(proxy -> proxy.maxHops(3)));

    String answer = get("count.func.local", HOPS + ": 3");

    assertThat(status(answer)).as("status; answer:\n%s", answer).isEqualTo("508");
    assertThat(answer).as("answer").contains("{\"status\":\"error\",\"error\":\"")
        .contains("forwarded to functions 3 times").contains("the limit is 3");
    assertThat(calls).as("function calls").hasValue(0);
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void theFunctionGetsTheCountItsRequestArrivedWithPlusOne(Mount mount) throws Exception {
    start(mount, Faas.builder().proxy(proxy -> proxy.maxHops(3)));

    assertThat(get("count.func.local")).as("without the header").endsWith("hops=1");
    assertThat(get("count.func.local", HOPS + ": 2")).as("with 2").endsWith("hops=3");
    assertThat(get("count.func.local", HOPS + ": 0", HOPS + ": 2")).as("with 0 and 2: the larger counts")
        .endsWith("hops=3");
  }

  @ParameterizedTest
  @EnumSource(Mount.class)
  void aCountThatIsNotANumberIsRefusedWith400(Mount mount) throws Exception {
    start(mount, Faas.builder());

    for (String value : new String[] {"-1", "one", "1.5", "9999999999", ""}) {
      String answer = get("count.func.local", HOPS + ": " + value);
      assertThat(status(answer)).as("status for '%s'; answer:\n%s", value, answer).isEqualTo("400");
    }
    assertThat(calls).as("function calls").hasValue(0);
  }

  @Test
  void aFunctionOverHttpGetsExactlyOneCountHeader() throws Exception {
    InMemoryProvider lifecycle = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
    int upstream = started(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        Content.Sink.write(response, true, "hops=" + request.getHeaders().getValuesList(HOPS), callback);
        return true;
      }
    });
    Faas faas = Faas.builder().provider(new OverHttpProvider(lifecycle, Endpoint.Http.loopback(upstream)))
        .store(new InMemoryStore()).build();
    closing.add(faas::close);
    port = started(new FaasHandler(faas));
    faas.deploy(FunctionSpec.builder("remote").runtime(InMemoryProvider.RUNTIME).version("v1").code("remote").build(), null);

    assertThat(get("remote.func.local")).as("without the header").endsWith("hops=[1]");
    assertThat(get("remote.func.local", HOPS + ": 7")).as("with 7").endsWith("hops=[8]");
  }

  @Test
  void theLimitMustBeAtLeastOne() {
    assertThatThrownBy(() -> Faas.builder().proxy(proxy -> proxy.maxHops(0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHops");
  }
}
