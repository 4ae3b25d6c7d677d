package dev.faas4j.api;

import java.time.Duration;

/**
 * Resource limits of a function version. A zero (or null duration) means "the provider's
 * default". Providers apply what they can: Docker maps memory, CPUs and pids to the container;
 * workerd enforces none of them itself, only the timeout is applied (by faas-core's proxy).
 *
 * @param memoryBytes memory limit in bytes, or 0
 * @param cpus CPU limit in (fractional) cores, or 0
 * @param pids maximum number of processes, or 0
 * @param timeout how long one request may run before it is answered with 504, or null
 */
public record Limits(long memoryBytes, double cpus, int pids, Duration timeout) {

  /** No limits: every value is the provider's default. */
  public static final Limits NONE = new Limits(0, 0, 0, null);

  public Limits {
    if (memoryBytes < 0 || cpus < 0 || pids < 0 || Double.isNaN(cpus) || Double.isInfinite(cpus)) {
      throw FaasException.invalid("limits must not be negative");
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw FaasException.invalid("timeout must be positive");
    }
  }
}
