package dev.faas4j.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code faas4j.async.*} settings of asynchronous invocations ({@code POST
 * /async-function/{name}}): workers, queue depth, retries, the lease of a claimed call, and where
 * callbacks may go. Each unset one keeps the default of {@link dev.faas4j.core.FaasBuilder}, so a
 * {@link FaasBuilderCustomizer} may still set it.
 *
 * <p>Mutable (as Spring binds it); read it once at start-up. Not thread-safe.
 */
public class FaasAsyncProperties {

  /** How many asynchronous invocations this application instance runs at once. Unset: 4. */
  private Integer workers;

  /**
   * The most asynchronous invocations pending in the queue, all instances sharing the store
   * together; beyond it a new one gets 429 with Retry-After. Unset: 10000.
   */
  private Integer queueDepth;

  /**
   * How many times a call's function, then its callback, is tried before the call fails; retried
   * are 5xx, 429, timeouts and unreachable functions. Unset: 5. Setting any of max-attempts,
   * first-backoff and max-backoff sets all three, the others to their defaults.
   */
  private Integer maxAttempts;

  /** The wait before a call's second try; it doubles for each try after. Unset: 1s. */
  private Duration firstBackoff;

  /** The longest wait between two tries. Unset: 5m. */
  private Duration maxBackoff;

  /**
   * How long an instance holds a call it claimed; if it dies holding one, another instance runs
   * it once this has passed. Unset: the request timeout plus 30s.
   */
  private Duration lease;

  /**
   * CIDRs that callback URLs (X-Callback-Url) may reach although they are not public, e.g.
   * 127.0.0.1/32. Unset: the comma-separated CIDRs in the environment variable
   * FAAS4J_CALLBACK_ALLOW, else none (public addresses only).
   */
  private List<String> callbackAllow = new ArrayList<>();

  public Integer getWorkers() {
    return workers;
  }

  public void setWorkers(Integer workers) {
    this.workers = workers;
  }

  public Integer getQueueDepth() {
    return queueDepth;
  }

  public void setQueueDepth(Integer queueDepth) {
    this.queueDepth = queueDepth;
  }

  public Integer getMaxAttempts() {
    return maxAttempts;
  }

  public void setMaxAttempts(Integer maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  public Duration getFirstBackoff() {
    return firstBackoff;
  }

  public void setFirstBackoff(Duration firstBackoff) {
    this.firstBackoff = firstBackoff;
  }

  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  public void setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = maxBackoff;
  }

  public Duration getLease() {
    return lease;
  }

  public void setLease(Duration lease) {
    this.lease = lease;
  }

  public List<String> getCallbackAllow() {
    return callbackAllow;
  }

  public void setCallbackAllow(List<String> callbackAllow) {
    this.callbackAllow = callbackAllow;
  }
}
