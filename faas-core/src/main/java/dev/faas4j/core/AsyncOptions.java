package dev.faas4j.core;

import dev.faas4j.core.internal.async.CallbackGuard;
import dev.faas4j.core.internal.engine.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The options of asynchronous invocations ({@code POST /async-function/...}): how many run at once
 * on this node, how many may wait, how often each is tried, and which private addresses a callback
 * may reach. Set them in {@link FaasBuilder#async}:
 *
 * <pre>{@code
 * Faas.builder()
 *     .provider(provider)
 *     .async(async -> async.workers(8).retries(3, Duration.ofSeconds(2), Duration.ofMinutes(1)))
 *     .build();
 * }</pre>
 *
 * Each option may be set once, like those of the builder. Not thread-safe.
 */
public final class AsyncOptions {
  private final Settings settings;

  AsyncOptions(Settings settings) {
    this.settings = settings;
  }

  /** How many asynchronous invocations this node runs at once; default 4. */
  public AsyncOptions workers(int workers) {
    settings.once("async.workers");
    Settings.atLeast("async.workers", workers, 1);
    settings.asyncWorkers = workers;
    return this;
  }
  /**
   * The most asynchronous invocations pending in the queue (shared by every node on the store);
   * beyond it a new one is refused with 429 and {@code Retry-After}. Default 10,000.
   */
  public AsyncOptions queueDepth(int depth) {
    settings.once("async.queueDepth");
    Settings.atLeast("async.queueDepth", depth, 1);
    settings.asyncQueueDepth = depth;
    return this;
  }
  /**
   * How often an asynchronous invocation is tried (the function, then the callback, each) and the
   * wait before the second try, which doubles up to {@code maxBackoff}. Default 5, 1 s, 5 min.
   */
  public AsyncOptions retries(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
    settings.once("async.retries");
    Settings.atLeast("async.retries maxAttempts", maxAttempts, 1);
    settings.asyncMaxAttempts = maxAttempts;
    settings.asyncFirstBackoff = Settings.positive("async.retries firstBackoff", firstBackoff);
    settings.asyncMaxBackoff = Settings.positive("async.retries maxBackoff", maxBackoff);
    return this;
  }
  /**
   * How long a node holds an asynchronous invocation it claimed; a node that died holding one
   * leaves it to the others (or to itself, restarted with the same {@link FaasBuilder#nodeId}) after this.
   * Default: the {@linkplain ProxyOptions#requestTimeout request timeout} plus 30 s.
   */
  public AsyncOptions lease(Duration lease) {
    settings.once("async.lease");
    settings.asyncLease = Settings.positive("async.lease", lease);
    return this;
  }
  /**
   * CIDRs that callback URLs ({@code X-Callback-Url}) may reach although they are not public, e.g.
   * {@code 127.0.0.1/32} for a receiver on this machine. Default: the comma-separated CIDRs in the
   * environment variable {@code FAAS4J_CALLBACK_ALLOW}, else none (public addresses only).
   *
   * @throws IllegalArgumentException for an entry that is not a CIDR
   */
  public AsyncOptions callbackAllow(String... cidrs) {
    settings.once("async.callbackAllow");
    new CallbackGuard(List.of(cidrs)); // validates
    settings.callbackAllow = List.of(cidrs);
    return this;
  }
}
