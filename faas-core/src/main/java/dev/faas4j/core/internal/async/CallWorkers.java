package dev.faas4j.core.internal.async;

import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.AsyncCall.State;
import dev.faas4j.api.CallQueue;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.Json;
import dev.faas4j.core.internal.routing.Invoker;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs queued calls: a poll (on the injected scheduler, every poll interval and whenever this node
 * accepted a call) claims as many due calls as there are free workers, and each runs on the worker
 * pool. A run is one attempt: the function (through the same path as function traffic), then, once
 * it has a final answer, the callback; the new state is written to the queue only after both, so a
 * node that dies in between leaves the call to run again (at least once).
 *
 * <p>An attempt is retried, after an exponential back-off, when the function answered 5xx or 429,
 * timed out, or could not be reached or started; a 4xx or an unknown function is final. After the
 * last attempt the call fails with the last answer, which still goes to the callback.
 *
 * <p>Thread-safe.
 */
final class CallWorkers {

  private static final Logger LOG = LoggerFactory.getLogger(CallWorkers.class);
  private static final Set<Reason> RETRIED = Set.of(Reason.UNAVAILABLE, Reason.UPSTREAM_ERROR,
      Reason.UPSTREAM_TIMEOUT, Reason.INTERNAL);

  private final CallQueue queue;
  private final Invoker invoker;
  private final Callbacks callbacks;
  private final AsyncSettings settings;
  private final Clock clock;
  private final String node;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService pool;
  private final AtomicInteger busy = new AtomicInteger();
  private volatile Instant lastPrune = Instant.EPOCH;

  CallWorkers(CallQueue queue, Invoker invoker, Callbacks callbacks, AsyncSettings settings, Clock clock, String node,
      ScheduledExecutorService scheduler, ExecutorService pool) {
    this.queue = queue;
    this.invoker = invoker;
    this.callbacks = callbacks;
    this.settings = settings;
    this.clock = clock;
    this.node = node;
    this.scheduler = scheduler;
    this.pool = pool;
  }

  /** Takes back the calls this node id held before a restart, then polls periodically. */
  void start() {
    try {
      int released = queue.release(node);
      if (released > 0) {
        LOG.info("{} async call(s) claimed by this node ({}) before it restarted are due again", released, node);
      }
    } catch (Exception e) {
      LOG.warn("could not release the async calls of node {}: {}", node, e.toString());
    }
    long every = Math.max(1, settings.pollInterval().toMillis());
    scheduler.scheduleWithFixedDelay(this::pollQuietly, 0, every, TimeUnit.MILLISECONDS);
  }

  /** Polls soon, on the scheduler. */
  void wake() {
    try {
      scheduler.execute(this::pollQuietly);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // shutting down: the periodic poll of the next start takes the call
    }
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (Exception | Error e) {
      LOG.warn("async poll failed: {}", e.toString());
    }
  }

  /** Claims due calls for the free workers and starts them. */
  synchronized void poll() throws Exception {
    Instant now = clock.instant();
    if (now.isAfter(lastPrune.plusSeconds(60))) {
      lastPrune = now;
      queue.prune(now.minus(settings.retention()));
    }
    int free = settings.workers() - busy.get();
    if (free <= 0) {
      return;
    }
    List<AsyncCall> claimed = queue.claim(node, free, now, settings.lease());
    for (AsyncCall call : claimed) {
      busy.incrementAndGet();
      try {
        pool.execute(() -> {
          try {
            run(call);
          } finally {
            busy.decrementAndGet();
            wake(); // a worker is free: there may be more due
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        busy.decrementAndGet(); // its lease runs out; the next start runs it
      }
    }
  }

  /** One attempt at a claimed call, and its new state written back. */
  void run(AsyncCall call) {
    AsyncCall next;
    try {
      next = call.state() == State.QUEUED ? runFunction(call) : call;
      if (next.state() == State.DELIVERING) {
        next = deliver(next);
      }
    } catch (RuntimeException e) {
      LOG.warn("async call {} failed unexpectedly; it runs again after its lease: {}", call.id(), e.toString());
      return;
    }
    try {
      if (!queue.update(next, node)) {
        LOG.warn("async call {}: this node's claim ran out while it ran; another node may run it again", call.id());
      }
    } catch (Exception e) {
      LOG.warn("async call {}: could not record its outcome ({}); it runs again after its lease", call.id(), e.toString());
    }
  }

  private AsyncCall runFunction(AsyncCall claimed) {
    AsyncCall call = claimed.ranOn(node);
    Instant now = clock.instant();
    int attempt = call.attempts() + 1;
    int status;
    String headers;
    byte[] body;
    String failure;
    try {
      FunctionResponse answer = invoker.invoke(call.function(), call.selector(), request(call));
      status = answer.status();
      headers = HeaderLines.encode(answer.headers(), Set.of());
      body = answer.body();
      failure = status >= 500 || status == 429 ? "the function answered " + status : null;
    } catch (FaasException e) {
      status = e.reason().httpStatus();
      headers = "Content-Type: application/json\n";
      body = Json.errorBody(e.getMessage());
      failure = RETRIED.contains(e.reason()) ? e.getMessage() : null;
    }
    if (failure != null && attempt < settings.maxAttempts()) {
      LOG.debug("async call {}: attempt {} failed ({}); next in {}", call.id(), attempt, failure,
          settings.backoff(attempt));
      return call.next(State.QUEUED, attempt, now.plus(settings.backoff(attempt)), now, failure);
    }
    AsyncCall answered = call.answered(status, headers, body);
    String detail = failure == null ? "" : "gave up after " + attempt + " attempt(s): " + failure;
    if (answered.callbackUrl() != null) {
      return answered.next(State.DELIVERING, 0, now, now, detail);
    }
    return answered.next(status < 500 && failure == null ? State.SUCCEEDED : State.FAILED, attempt, now, now, detail);
  }

  private AsyncCall deliver(AsyncCall call) {
    Instant now = clock.instant();
    int attempt = call.attempts() + 1;
    String failure = callbacks.deliver(call);
    if (failure == null) {
      boolean ok = call.status() > 0 && call.status() < 500 && call.status() != 429;
      return call.next(ok ? State.SUCCEEDED : State.FAILED, attempt, now, now, call.detail());
    }
    if (attempt < settings.maxAttempts()) {
      return call.next(State.DELIVERING, attempt, now.plus(settings.backoff(attempt)), now, failure);
    }
    return call.next(State.FAILED, attempt, now, now, "the callback was not delivered after " + attempt
        + " attempt(s): " + failure);
  }

  private static FunctionRequest request(AsyncCall call) {
    int q = call.pathAndQuery().indexOf('?');
    String path = q < 0 ? call.pathAndQuery() : call.pathAndQuery().substring(0, q);
    String query = q < 0 ? "" : call.pathAndQuery().substring(q + 1);
    return new FunctionRequest(call.method(), path, query, HeaderLines.decode(call.headers()), call.body());
  }
}
