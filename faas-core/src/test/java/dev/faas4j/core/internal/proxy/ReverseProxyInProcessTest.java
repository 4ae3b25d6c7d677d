package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.http.RawUpstream;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proxy in a real Jetty, serving {@link Endpoint.InProcess} handlers through every {@link
 * Binding} (Jetty's core binding runs them on the server's pool, as {@code FaasHandler} does).
 */
@ExtendWith(NoLeakedThreads.class)
class ReverseProxyInProcessTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void handlerSeesTheRequestAndItsResponseReachesTheClient(Binding binding) throws Exception {
    AtomicReference<FunctionRequest> seen = new AtomicReference<>();
    Endpoint endpoint =
        new Endpoint.InProcess(
            request -> {
              seen.set(request);
              return new FunctionResponse(
                  202,
                  Map.of("X-Out", List.of("out"), "Content-Type", List.of("text/plain")),
                  ("got " + request.bodyAsString()).getBytes(StandardCharsets.UTF_8));
            });
    try (ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), endpoint, binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "POST /p/q?x=1 HTTP/1.1\r\nHost: v1.hello.func.local\r\nContent-Length: 2\r\n"
                  + "X-In: in\r\nConnection: close, X-Drop-Me\r\nX-Drop-Me: secret\r\n\r\n",
              "hi".getBytes(StandardCharsets.UTF_8));

      assertThat(response.status()).as("handler status").isEqualTo(202);
      assertThat(response.values("X-Out")).as("handler header").containsExactly("out");
      assertThat(response.bodyText()).as("handler body").isEqualTo("got hi");
      FunctionRequest request = seen.get();
      assertThat(request.method()).as("method").isEqualTo("POST");
      assertThat(request.path()).as("path without query").isEqualTo("/p/q");
      assertThat(request.query()).as("raw query").isEqualTo("x=1");
      assertThat(request.header("x-in")).as("end-to-end header").isEqualTo("in");
      assertThat(request.header("Host")).as("client's Host").isEqualTo("v1.hello.func.local");
      assertThat(request.header("X-Forwarded-For")).as("X-Forwarded-For").isEqualTo("127.0.0.1");
      assertThat(request.header("X-Drop-Me")).as("header named in Connection is dropped").isNull();
      assertThat(request.header("Connection")).as("Connection is dropped").isNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void withoutForwardedHeadersTheHandlerSeesNoneOfThem(Binding binding) throws Exception {
    AtomicReference<FunctionRequest> seen = new AtomicReference<>();
    Endpoint endpoint =
        new Endpoint.InProcess(
            request -> {
              seen.set(request);
              return new FunctionResponse(200, Map.of(), new byte[0]);
            });
    try (ProxyServer proxy = new ProxyServer(ProxySettings.defaults().withForwardedHeaders(false), endpoint, binding)) {

      RawClient.exchange(
          proxy.port(),
          "GET / HTTP/1.1\r\nHost: hello.func.local\r\nX-Forwarded-For: 203.0.113.7\r\nConnection: close\r\n\r\n",
          null);

      assertThat(seen.get().headers())
          .as("headers the handler saw")
          .doesNotContainKeys("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host")
          .containsKey("Host");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void handlerExceptionIsAnsweredWith502(Binding binding) throws Exception {
    Endpoint endpoint =
        new Endpoint.InProcess(
            request -> {
              throw new IllegalStateException("boom");
            });
    try (ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), endpoint, binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(), "GET / HTTP/1.1\r\nHost: hello.func.local\r\nConnection: close\r\n\r\n", null);

      assertThat(response.status()).as("a failing handler is a failing upstream").isEqualTo(502);
      assertThat(proxy.awaitOutcomes(1).errors).extracting(e -> e.reason()).as("reason").containsExactly(Reason.UPSTREAM_ERROR);
      assertThat(proxy.awaitOutcomes(1).errors.get(0).getMessage()).as("message names the cause").contains("boom");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void chunkedBodyOverTheLimitIsAnsweredWith413WithoutCallingTheHandler(Binding binding) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Endpoint endpoint =
        new Endpoint.InProcess(
            request -> {
              calls.incrementAndGet();
              return FunctionResponse.ok("called");
            });
    try (ProxyServer proxy =
            new ProxyServer(ProxySettings.defaults().withMaxRequestBodyBytes(16 * 1024), endpoint, binding);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      OutputStream out = socket.getOutputStream();
      RawUpstream.write(
          out, "POST / HTTP/1.1\r\nHost: hello.func.local\r\nTransfer-Encoding: chunked\r\n\r\n");
      byte[] chunk = new byte[8 * 1024];
      for (int i = 0; i < 3; i++) {
        RawUpstream.write(out, Integer.toHexString(chunk.length) + "\r\n");
        out.write(chunk);
        RawUpstream.write(out, "\r\n");
      }

      RawClient.Response response = RawClient.read(socket.getInputStream());

      assertThat(response.status()).as("body over the limit gives 413").isEqualTo(413);
      assertThat(calls).as("the handler was not called").hasValue(0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void bodyOverTheLimitByContentLengthIsAnsweredWith413(Binding binding) throws Exception {
    Endpoint endpoint = new Endpoint.InProcess(request -> FunctionResponse.ok("called"));
    try (ProxyServer proxy =
        new ProxyServer(ProxySettings.defaults().withMaxRequestBodyBytes(10), endpoint, binding)) {

      RawClient.Response response =
          RawClient.exchange(
              proxy.port(),
              "POST / HTTP/1.1\r\nHost: hello.func.local\r\nContent-Length: 11\r\nConnection: close\r\n\r\n",
              new byte[11]);

      assertThat(response.status()).as("declared length over the limit gives 413").isEqualTo(413);
    }
  }
}
