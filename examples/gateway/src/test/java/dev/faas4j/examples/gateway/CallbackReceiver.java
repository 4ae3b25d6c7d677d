package dev.faas4j.examples.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on 127.0.0.1 for the callbacks of asynchronous invocations: it counts the
 * callbacks of each call (by {@code X-Call-Id}) and keeps the last one's status and body. The
 * gateway must be started with {@code --callback-allow 127.0.0.1/32} to reach it. Thread-safe.
 */
final class CallbackReceiver implements AutoCloseable {

  /** Callbacks per call id. */
  final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  /** Per call id, {@code "<X-Function-Status> <body>"} of its last callback. */
  final Map<String, String> bodies = new ConcurrentHashMap<>();

  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final HttpServer server;

  CallbackReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/hook", exchange -> {
      String id = exchange.getRequestHeaders().getFirst("X-Call-Id");
      String status = exchange.getRequestHeaders().getFirst("X-Function-Status");
      bodies.put(id, status + " " + new String(exchange.getRequestBody().readAllBytes()));
      counts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
  }

  /** The URL to give as {@code X-Callback-Url}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** How many callbacks came more than once for the same call, in all. */
  int repeats() {
    return counts.values().stream().mapToInt(count -> count.get() - 1).sum();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
