package dev.faas4j.api;

import java.util.Objects;

/**
 * What a provider knows about one version right now.
 *
 * @param ref the version
 * @param state its lifecycle state
 * @param replicas how many instances are wanted
 * @param readyReplicas how many instances are ready to serve
 * @param detail a human-readable explanation, e.g. the last lines a failed process printed;
 *     empty when there is nothing to say
 */
public record VersionStatus(FunctionRef ref, State state, int replicas, int readyReplicas, String detail) {

  /** The lifecycle states of a version. */
  public enum State {
    /** Not running: never started, or stopped on request. The next request starts it. */
    STOPPED,
    /** Being started; requests wait for it. */
    STARTING,
    /** At least one instance is ready. */
    RUNNING,
    /** Scaled to zero because it was idle. The next request starts it. */
    SUSPENDED,
    /**
     * Paused because it was idle, with its memory kept (see {@link Freezing}); the next request
     * thaws it, in about a millisecond. Not counted as crashed.
     */
    FROZEN,
    /** Could not be started, or crashed repeatedly; {@code detail} says why. */
    FAILED
  }

  public VersionStatus {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(state, "state");
    detail = detail == null ? "" : detail;
  }

  /** A status for a version that is not running and has nothing to report. */
  public static VersionStatus stopped(FunctionRef ref) {
    return new VersionStatus(ref, State.STOPPED, 0, 0, "");
  }
}
