package dev.faas4j.api;

import java.time.Duration;

/**
 * Resource limits of a function version. A zero (or null duration) means "the provider's
 * default". The timeout is applied by faas-core's proxy. Memory, CPUs and pids are the provider's:
 * Docker maps them to the container, the workerd provider to a cgroup per process; a provider that
 * cannot enforce one refuses a deploy that sets it ({@code INVALID_FUNCTION}) rather than ignore it.
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
