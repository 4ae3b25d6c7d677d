package dev.faas4j.docker.internal;

import java.time.Duration;

/**
 * The validated configuration of one provider, as built by {@code DockerProvider.Builder}.
 *
 * @param dockerHost {@code unix://...} or {@code tcp://...}
 * @param instanceId the owner label value
 * @param startTimeout how long a container may take to become ready
 * @param stopTimeout how long a container gets between SIGTERM and SIGKILL
 * @param defaultPort the container port when a spec sets none
 * @param healthPath the readiness path when a spec sets none
 * @param pullMissingImages whether deploy pulls an image that is not present
 * @param retainedLogLines log lines of removed containers kept per version
 * @param drainPeriod how long containers replaced by new env values keep running for the requests
 *     they were given
 */
public record Settings(
    String dockerHost,
    String instanceId,
    Duration startTimeout,
    Duration stopTimeout,
    int defaultPort,
    String healthPath,
    boolean pullMissingImages,
    int retainedLogLines,
    Duration drainPeriod) {

  /** Checks a health path: starts with '/', no whitespace or control characters. */
  public static String requireHealthPath(String path) {
    if (path == null || !path.startsWith("/") || path.length() > 1024
        || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("health path must start with '/' and contain no spaces or control"
          + " characters, was '" + path + "'");
    }
    return path;
  }
}
