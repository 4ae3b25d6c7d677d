package dev.faas4j.api;

/**
 * Told by a {@link FunctionStore} that its change feed may have moved: see
 * {@link FunctionStore#subscribe(ChangeListener)}.
 *
 * <p>A call is a hint, not a change: the listener reads the feed with
 * {@link FunctionStore#changesSince(long, int)} (or, if {@code resyncNeeded}, reloads everything).
 * Calls may be spurious, and one call may stand for several changes. The store calls from a
 * thread of its choosing (a thread of its own, or the one that committed the change), never two
 * calls to one listener at once; a listener must return quickly and must not throw (a store logs
 * and ignores what it throws).
 */
@FunctionalInterface
public interface ChangeListener {

  /**
   * Something may have changed.
   *
   * @param resyncNeeded {@code true} if the store may have missed announcements (for example its
   *     connection to the database was broken and has been restored): reload everything with
   *     {@link FunctionStore#loadAll()} instead of trusting only the feed
   */
  void changed(boolean resyncNeeded);
}
