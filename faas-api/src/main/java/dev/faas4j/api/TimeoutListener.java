package dev.faas4j.api;

/**
 * Optional provider capability: hears that a request to a version got no answer in time (504).
 *
 * <p>faas-core calls it after the proxy answered a request with {@code UPSTREAM_TIMEOUT}, once per
 * such request. A provider may use it to find an instance that is stuck (for example one spinning in
 * a busy loop that no timeout of the proxy can stop) and replace it. Providers without this
 * capability are not told: their instances keep running as they are.
 *
 * <p>Discover it with {@code provider.capability(TimeoutListener.class)}. Implementations are
 * thread-safe and return quickly (they may be called on an I/O thread): any slow work is theirs to
 * run elsewhere. They must not throw.
 */
public interface TimeoutListener {

  /** A request to {@code ref} timed out; {@code ref} may be unknown to the provider by now. */
  void requestTimedOut(FunctionRef ref);
}
