package dev.faas4j.core.internal.telemetry;

import java.util.Locale;

/** How a function request failed in the proxy; the {@code kind} tag of the proxy failure counter. */
public enum ProxyFailure {
  /** Connecting to the instance, or its answer, took longer than allowed (504). */
  TIMEOUT,
  /** The instance refused the connection (502). */
  REFUSED,
  /** The instance's connection broke, or it answered with broken HTTP (502, or an aborted answer). */
  RESET,
  /** The request body was over the limit (413). */
  BODY_TOO_LARGE,
  /** The client went away, or stalled, before the exchange was over. */
  CLIENT_GONE,
  /** Every connection the instance may use stayed busy (503). */
  BUSY;

  /** The tag value: the lower-case name. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
