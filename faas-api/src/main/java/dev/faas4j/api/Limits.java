package dev.faas4j.api;

import java.time.Duration;

/**
 * Resource limits of a function version. A zero (or null duration) means "the provider's
 * default" (for {@code maxConcurrency}: no limit). The timeout and the concurrency limit are
 * applied by faas-core, in front of every provider. Memory, CPUs and pids are the provider's:
 * Docker maps them to the container, the workerd provider to a cgroup per process; a provider that
 * cannot enforce one refuses a deploy that sets it ({@code INVALID_FUNCTION}) rather than ignore it.
 *
 * @param memoryBytes memory limit in bytes, or 0
 * @param cpus CPU limit in (fractional) cores, or 0
 * @param pids maximum number of processes, or 0
 * @param timeout how long one request may run before it is answered with 504, or null
 * @param maxConcurrency how many requests the version serves at once (on one node); more wait in a
 *     bounded queue for a bounded time, then get 429. 0 for no limit
 */
public record Limits(long memoryBytes, double cpus, int pids, Duration timeout, int maxConcurrency) {

  /** No limits: every value is the provider's default. */
  public static final Limits NONE = new Limits(0, 0, 0, null, 0);

  public Limits {
    if (memoryBytes < 0 || cpus < 0 || pids < 0 || Double.isNaN(cpus) || Double.isInfinite(cpus)) {
      throw FaasException.invalid("limits must not be negative");
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw FaasException.invalid("timeout must be positive");
    }
    if (maxConcurrency < 0) {
      throw FaasException.invalid("max_concurrency must not be negative");
    }
  }

  /** Limits without a concurrency limit. */
  public Limits(long memoryBytes, double cpus, int pids, Duration timeout) {
    this(memoryBytes, cpus, pids, timeout, 0);
  }

  /** These limits with {@code maxConcurrency} (0 for none). */
  public Limits withMaxConcurrency(int maxConcurrency) {
    return new Limits(memoryBytes, cpus, pids, timeout, maxConcurrency);
  }
}
