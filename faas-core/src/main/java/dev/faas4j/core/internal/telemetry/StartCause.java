package dev.faas4j.core.internal.telemetry;

import java.util.Locale;

/** Why an instance of a version was started; the {@code cause} tag of the start meters. */
public enum StartCause {
  /** A request found the version stopped (never started, stopped by hand, or its start failed). */
  FIRST_REQUEST,
  /** A request found the version suspended for idleness. */
  RESUME,
  /** Its instance had exited on its own, and a request or the keep-warm rule started it again. */
  CRASH_RESTART,
  /** A deploy, a rollback or a restore started the function's latest version. */
  DEPLOY;

  /** The tag value: the lower-case name. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
