package dev.faas4j.spring.boot;

import java.time.Duration;

/**
 * The {@code faas4j.traffic.*} settings: how many function requests are served at once, the line
 * in front of that limit, and the sticky key of weighted aliases. Each unset one keeps the default
 * of {@link dev.faas4j.core.FaasBuilder}, so a {@link FaasBuilderCustomizer} may still set it.
 *
 * <p>Mutable (as Spring binds it); read it once at start-up. Not thread-safe.
 */
public class FaasTrafficProperties {

  /**
   * The most function requests served at once, all functions together, so that a flood of slow
   * requests cannot exhaust the JVM. More wait in line (max-queued, queue-timeout), then get 429
   * with Retry-After. Unset: 10000.
   */
  private Integer maxInFlight;

  /**
   * How many requests may wait for a place when max-in-flight, or a version's
   * limits.max_concurrency, is reached; a request beyond a full line gets 429 at once. 0: no
   * waiting. Unset: 100.
   */
  private Integer maxQueued;

  /** How long a request waits in that line before it gets 429 with Retry-After. Unset: 5s. */
  private Duration queueTimeout;

  /**
   * The request header whose value keeps a client on one version of a weighted alias, for as
   * long as the weights stay the same. Empty: no header. Unset: X-Faas4j-Sticky.
   */
  private String stickyHeader;

  /**
   * The cookie that keeps a client on one version of a weighted alias when the request has no
   * sticky header. Empty: no cookie. Unset: faas4j-sticky.
   */
  private String stickyCookie;

  public Integer getMaxInFlight() {
    return maxInFlight;
  }

  public void setMaxInFlight(Integer maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  public Integer getMaxQueued() {
    return maxQueued;
  }

  public void setMaxQueued(Integer maxQueued) {
    this.maxQueued = maxQueued;
  }

  public Duration getQueueTimeout() {
    return queueTimeout;
  }

  public void setQueueTimeout(Duration queueTimeout) {
    this.queueTimeout = queueTimeout;
  }

  public String getStickyHeader() {
    return stickyHeader;
  }

  public void setStickyHeader(String stickyHeader) {
    this.stickyHeader = stickyHeader;
  }

  public String getStickyCookie() {
    return stickyCookie;
  }

  public void setStickyCookie(String stickyCookie) {
    this.stickyCookie = stickyCookie;
  }
}
