package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.LogLine;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.core.testing.InMemoryProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API's logs: a whole function's output merged by time, every line with its time, version
 * and stream, and {@code ?follow=true} streaming new lines until the client leaves, which removes
 * the provider's listener.
 */
class LogsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final MutableClock clock = new MutableClock();
  private final LoggingProvider provider = new LoggingProvider();
  private JettyHarness http;

  @BeforeEach
  void start() throws Exception {
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).build());
    for (String version : List.of("v1", "v2")) {
      http.faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version(version).code("x")
          .build(), null);
    }
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
  }

  @Test
  void aFunctionsLogsMergeEveryVersionByTime() throws Exception {
    provider.emit("v1", "out", "first");
    provider.emit("v2", "err", "second");
    provider.emit("v1", "out", "third");

    JsonNode body = JSON.readTree(http.admin("GET", "/functions/hello/logs", null).body());

    List<String> texts = new ArrayList<>();
    body.path("entries").forEach(entry -> texts.add(entry.path("version").asText() + "/"
        + entry.path("stream").asText() + "/" + entry.path("level").asText() + "/" + entry.path("text").asText()));
    assertThat(texts).containsExactly("v1/out/INFO/first", "v2/err/ERROR/second", "v1/out/INFO/third");
    assertThat(body.path("lines").get(1).asText()).as("time, version, stream, text")
        .isEqualTo(clock.instant().minusSeconds(2) + " v2 err second");
  }

  @Test
  void followStreamsNewLinesUntilTheClientLeaves() throws Exception {
    provider.emit("v1", "out", "before");
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/functions/hello/versions/v1/logs?follow=true HTTP/1.1\r\nHost: localhost\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(nextData(in)).endsWith(" v1 out before");
      assertThat(provider.listeners()).as("following v1").isEqualTo(1);

      provider.emit("v1", "err", "while following");
      provider.emit("v2", "out", "another version");
      assertThat(nextData(in)).as("a line written while the client follows")
          .endsWith(" v1 err while following");
    }
    assertThat(Wait.until(Duration.ofSeconds(10), () -> provider.listeners() == 0))
        .as("the listener is removed once the client left").isTrue();
  }

  @Test
  void aFunctionsFollowCoversEveryVersion() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /api/functions/hello/logs?follow=true HTTP/1.1\r\nHost: localhost\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(Wait.until(Duration.ofSeconds(10), () -> provider.listeners() == 2)).isTrue();
      provider.emit("v2", "out", "from v2");
      assertThat(nextData(in)).endsWith(" v2 out from v2");
    }
    assertThat(Wait.until(Duration.ofSeconds(10), () -> provider.listeners() == 0)).isTrue();
  }

  /** The text of the next {@code data:} event, skipping headers, chunk sizes and pings. */
  private static String nextData(BufferedReader in) throws Exception {
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("data: ")) {
        return line.substring(6);
      }
    }
    throw new AssertionError("the stream ended");
  }

  /** The in-memory provider with logs that the test writes, stamped by the test's clock. */
  private final class LoggingProvider implements FunctionProvider, FunctionLogs {
    private final InMemoryProvider functions = new InMemoryProvider(spec -> request -> FunctionResponse.ok("x"));
    private final Map<String, List<LogLine>> lines = new ConcurrentHashMap<>();
    private final List<Map.Entry<String, Consumer<LogLine>>> followers = new CopyOnWriteArrayList<>();

    void emit(String version, String stream, String text) {
      LogLine line = new LogLine(clock.instant(), version, stream, text);
      clock.advance(Duration.ofSeconds(1));
      lines.computeIfAbsent(version, v -> new CopyOnWriteArrayList<>()).add(line);
      followers.stream().filter(f -> f.getKey().equals(version)).forEach(f -> f.getValue().accept(line));
    }

    int listeners() {
      return followers.size();
    }

    @Override
    public List<String> logs(FunctionRef ref, int maxLines) {
      return lines(ref, maxLines).stream().map(LogLine::text).toList();
    }

    @Override
    public List<LogLine> lines(FunctionRef ref, int maxLines) {
      List<LogLine> all = lines.getOrDefault(ref.version(), List.of());
      return all.subList(Math.max(0, all.size() - maxLines), all.size());
    }

    @Override
    public AutoCloseable follow(FunctionRef ref, Consumer<LogLine> listener) {
      Map.Entry<String, Consumer<LogLine>> follower = Map.entry(ref.version(), listener);
      followers.add(follower);
      return () -> followers.remove(follower);
    }

    @Override
    public String name() {
      return "logging";
    }

    @Override
    public Set<String> runtimes() {
      return functions.runtimes();
    }

    @Override
    public void deploy(FunctionSpec spec) throws Exception {
      functions.deploy(spec);
    }

    @Override
    public void scale(FunctionRef ref, int replicas) throws Exception {
      functions.scale(ref, replicas);
    }

    @Override
    public void undeploy(FunctionRef ref) {
      functions.undeploy(ref);
    }

    @Override
    public VersionStatus status(FunctionRef ref) {
      return functions.status(ref);
    }

    @Override
    public Optional<Endpoint> endpoint(FunctionRef ref) {
      return functions.endpoint(ref);
    }

    @Override
    public void close() {
      functions.close();
    }
  }

  /** Polls a condition until it holds or the deadline passes (no timing is asserted). */
  static final class Wait {
    static boolean until(Duration deadline, java.util.function.BooleanSupplier condition) throws InterruptedException {
      long end = System.nanoTime() + deadline.toNanos();
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > end) {
          return false;
        }
        Thread.sleep(20);
      }
      return true;
    }
  }
}
