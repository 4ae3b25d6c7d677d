package dev.faas4j.core.internal.admin;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.LogLine;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code GET …/logs?follow=true}: a function's output as server-sent events, one {@code data:} event
 * per line ({@code time version stream text}), until the client leaves.
 *
 * <p>A bounded blocking stream: the request's thread waits for lines and writes them; a comment
 * ({@code : ping}) every {@link #HEARTBEAT} finds out when the client went away, and then the
 * provider's listener is removed and the thread returns. At most {@link #MAX_FOLLOWERS} streams run
 * at once (503 beyond), and at most {@link #QUEUE} lines wait for a slow client (more are dropped,
 * and the stream says how many).
 */
final class LogStream {

  static final int MAX_FOLLOWERS = 32;
  static final int QUEUE = 1000;
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  private static final AtomicInteger FOLLOWERS = new AtomicInteger();

  private LogStream() {}

  /**
   * Streams {@code backlog}, then every line {@code subscribe} delivers, until the client leaves.
   *
   * @throws FaasException UNAVAILABLE when {@link #MAX_FOLLOWERS} streams run already, or what
   *     {@code subscribe} throws; nothing was sent then
   */
  static void serve(HttpServletResponse response, List<LogLine> backlog,
      Function<Consumer<LogLine>, AutoCloseable> subscribe) throws IOException {
    if (FOLLOWERS.incrementAndGet() > MAX_FOLLOWERS) {
      FOLLOWERS.decrementAndGet();
      throw new FaasException(FaasException.Reason.UNAVAILABLE,
          MAX_FOLLOWERS + " log streams are open already; try again when one closes");
    }
    BlockingQueue<LogLine> queue = new ArrayBlockingQueue<>(QUEUE);
    AtomicLong dropped = new AtomicLong();
    try (AutoCloseable subscription = subscribe.apply(line -> {
      if (!queue.offer(line)) {
        dropped.incrementAndGet();
      }
    })) {
      response.setStatus(200);
      response.setContentType("text/event-stream;charset=UTF-8");
      response.setHeader("Cache-Control", "no-cache");
      ServletOutputStream out = response.getOutputStream();
      for (LogLine line : backlog) {
        event(out, line.toString());
      }
      out.flush();
      while (true) {
        LogLine line = queue.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
          event(out, "(" + lost + " lines dropped: the client read too slowly)");
        }
        if (line == null) {
          out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
        } else {
          do {
            event(out, line.toString());
          } while ((line = queue.poll()) != null);
        }
        out.flush(); // throws once the client is gone
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client left: the subscription is closed above, and the thread returns
    } catch (FaasException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("could not stop following the logs", e);
    } finally {
      FOLLOWERS.decrementAndGet();
    }
  }

  /** How many streams are open now; for tests. */
  static int open() {
    return FOLLOWERS.get();
  }

  private static void event(ServletOutputStream out, String text) throws IOException {
    // a line break would end the event early: a log line has none, but be safe
    out.write(("data: " + text.replace('\n', ' ').replace('\r', ' ') + "\n\n").getBytes(StandardCharsets.UTF_8));
  }
}
