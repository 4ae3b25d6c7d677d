package dev.faas4j.examples.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real gateway jar as a child process on a free port, for end-to-end tests: start it, talk
 * to it over HTTP, kill it. {@link #close()} stops it with SIGTERM (SIGKILL after 30 s).
 */
final class GatewayProcess implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final int port;
  private final ConcurrentLinkedDeque<String> output;

  private GatewayProcess(Process process, int port, ConcurrentLinkedDeque<String> output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /** Starts the jar on a free port with {@code dataDir}, and waits until it listens. */
  static GatewayProcess start(Path dataDir, String... extraArgs) throws Exception {
    return start(dataDir, java.util.Map.of(), extraArgs);
  }

  /** {@link #start(Path, String...)} with extra environment variables. */
  static GatewayProcess start(Path dataDir, java.util.Map<String, String> env, String... extraArgs) throws Exception {
    Path jar = Path.of(System.getProperty("faas4j.gateway.jar"));
    // A test's gateway lives for seconds: the C1 compiler alone (and the class archive) get it listening
    // in about half the CPU, which matters on a 2-core CI machine that starts ~100 of them.
    List<String> command = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1"));
    command.addAll(GatewayClassArchive.jvmOptions(jar));
    String workerdCache = System.getProperty("faas4j.workerd.cache");
    if (workerdCache != null) {
      command.add("-Dfaas4j.workerd.cache=" + workerdCache); // where the jar's workerd binary is extracted
    }
    // sqlite-jdbc extracts its native library to the temp dir and deletes it at exit, which a gateway
    // a test kills with SIGKILL never reaches: keep it in the data dir, which the test deletes.
    command.add("-Dorg.sqlite.tmpdir=" + Files.createDirectories(dataDir.resolve(".sqlite-native")));
    command.addAll(List.of("-jar", jar.toString(), "--port", "0", "--data-dir", dataDir.toString()));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          System.out.println("[gateway " + process.pid() + "] " + line);
          output.addLast(line);
          if (output.size() > 2000) {
            output.pollFirst();
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException ignored) {
        // the process is gone
      }
      port.completeExceptionally(new AssertionError("gateway exited before listening; output:\n"
          + String.join("\n", output)));
    }, "gateway-output-" + process.pid());
    pump.setDaemon(true);
    pump.start();
    try {
      return new GatewayProcess(process, port.get(60, TimeUnit.SECONDS), output);
    } catch (java.util.concurrent.ExecutionException e) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      String printed = String.join("\n", output);
      if (printed.contains("workerd binary not found")) {
        // The CI rule: a missing external part fails the build on CI, and skips with a reason elsewhere.
        String message = "the gateway needs the workerd binary: build faas4j with npm on PATH (the workerd-runtime"
            + " jar then holds it) or set FAAS4J_WORKERD to the binary; gateway said:\n" + printed;
        if ("true".equals(System.getenv("CI"))) {
          throw new AssertionError(message);
        }
        org.junit.jupiter.api.Assumptions.abort(message);
      }
      throw e;
    } catch (Exception | Error e) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw e;
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  int port() {
    return port;
  }

  Process process() {
    return process;
  }

  /** The last lines the gateway printed. */
  String output() {
    return String.join("\n", output);
  }

  /** SIGKILL: no shutdown hook runs; its workerd processes are left for the next start to clean up. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for an orderly exit (SIGKILL if it takes more than 30 s). */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** GET / with the given Host header. */
  HttpResponse<String> get(String host) throws Exception {
    return get(host, "/");
  }

  /** GET {@code path} with the given Host header; {@code headers} are name, value pairs. */
  HttpResponse<String> get(String host, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Host", host).timeout(Duration.ofSeconds(60));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An admin call; {@code body} may be null; {@code headers} are name, value pairs. */
  HttpResponse<String> admin(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("/api" + path)).timeout(Duration.ofSeconds(90))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Deploys a service-worker script that answers {@code text}; returns the response. */
  HttpResponse<String> deployText(String name, String version, String text) throws Exception {
    return admin("POST", "/deploy/" + name, JSON.writeValueAsString(java.util.Map.of("version", version,
        "code", "addEventListener(\"fetch\", e => e.respondWith(new Response(" + JSON.writeValueAsString(text) + ")))")));
  }

  /** GET /api/functions as JSON. */
  JsonNode functions() throws Exception {
    return JSON.readTree(admin("GET", "/functions", null).body());
  }

  /** Functions, versions, aliases and latest pointers, without the run-time state (and request counts) of each version. */
  JsonNode definitions() throws Exception {
    JsonNode body = functions();
    for (JsonNode function : body.path("functions")) {
      for (JsonNode version : function.path("versions")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) version)
            .remove(List.of("state", "replicas", "activeRequests", "detail", "accessUrl", "requests", "errors"));
      }
    }
    return body;
  }

  // ---------------------------------------------------------------------------------------------
  // Processes

  /** PIDs of workerd processes whose command line mentions {@code dir}. */
  static List<Long> workerdProcessesUnder(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (cmdline.contains("workerd") && cmdline.contains(dir.toString()) && !cmdline.contains("faas-gateway.jar")) {
            pids.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException gone) {
          // the process exited while we looked
        }
      }
    }
    return pids;
  }

  /** Waits (polling, up to {@code deadline}) until {@code condition} holds; returns whether it did. */
  static boolean eventually(Duration deadline, java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      try {
        if (condition.call()) {
          return true;
        }
      } catch (IOException notYet) {
        // keep polling
      }
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(50);
    }
  }

  static String bash(String command) throws Exception {
    Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish in 60 s: " + command);
    }
    return output.strip();
  }
}
