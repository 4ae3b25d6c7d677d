package dev.faas4j.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable state of every function, one {@link FunctionState} per function, and a feed of the
 * changes made to it.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Functions are keyed by {@link FunctionState#key()}, the lower-case name: looking up
 *       {@code Hello} finds {@code hello}.
 *   <li>Writes are atomic and use optimistic concurrency on {@link FunctionState#revision()}:
 *       a save either stores the whole new state or nothing, and fails (returns {@code false})
 *       when another writer changed the function since the caller read it. A stale write never
 *       overwrites silently.
 *   <li>A write that returned is durable: it survives a crash of the JVM right after.
 *   <li>Implementations are thread-safe. Several stores (in several JVMs) may share one database.
 *   <li>Methods may throw checked exceptions (e.g. {@link java.sql.SQLException}); faas-core turns
 *       them into a {@link FaasException} with reason {@code UNAVAILABLE}.
 * </ul>
 *
 * <h2>Change feed</h2>
 * Several nodes (application instances) may share one store; each keeps its own copy of the state
 * up to date by following the feed:
 * <ul>
 *   <li>Every committed change gets a store-wide revision, one more than the change before it:
 *       what a {@link #save} changes (see {@link Change.Kind} for the kinds and their order within
 *       one save), a {@link #delete}, and events that are not state ({@link #announce}). A change
 *       is committed together with the state it records: a reader sees both or neither, and a
 *       save or delete that returns {@code false} records nothing.
 *   <li>Revisions are gap-free and in commit order: once a reader sees revision {@code r}, every
 *       change up to {@code r} is visible to it. {@link #changesSince(long, int)} therefore never
 *       skips a change.
 *   <li>The feed keeps recent changes only. A revision it no longer holds the changes after (or
 *       one newer than the store's) is answered with {@link ChangeBatch#resyncNeeded()}.
 *   <li>{@link #subscribe(ChangeListener)} tells a node promptly that the feed moved, so it need
 *       not poll often. Stores without push never call listeners; nodes poll them.
 * </ul>
 * A node follows the feed like this: read {@link #currentRevision()}, then {@link #loadAll()},
 * then repeatedly ask {@code changesSince(last)} and apply each change by reloading the function
 * it names (applying a change twice is harmless). On {@code resyncNeeded}, start again.
 *
 * <p>The feed methods have defaults for stores written before it: no revision ({@code 0}), a
 * resync on every {@code changesSince}, announcements dropped, and no push. Such a store is fit
 * for one node only.
 */
public interface FunctionStore extends AutoCloseable {

  /** Every stored function, in no particular order. */
  List<FunctionState> loadAll() throws Exception;

  /** The function with this name (any case), if stored. */
  Optional<FunctionState> load(String name) throws Exception;

  /**
   * Stores {@code state} if the stored revision is {@code state.revision() - 1}, or if
   * {@code state.revision() == 1} and the function is not stored yet.
   *
   * @return {@code true} if stored; {@code false} if the stored revision was different (the
   *     caller read a stale state and should reload and retry)
   */
  boolean save(FunctionState state) throws Exception;

  /**
   * Deletes a function if its stored revision is {@code revision}.
   *
   * @return {@code true} if deleted; {@code false} if it was not stored or its revision differed
   */
  boolean delete(String name, long revision) throws Exception;

  /**
   * The revision of the last committed change, {@code 0} if there was none.
   *
   * @implSpec The default returns {@code 0}.
   */
  default long currentRevision() throws Exception {
    return 0;
  }

  /**
   * The changes committed after {@code revision}, oldest first, at most {@code max} of them, with
   * the store's current revision. Empty if {@code revision} is the current one. If the feed no
   * longer holds the change right after {@code revision}, or {@code revision} is newer than the
   * current one (the database was replaced or restored), the answer is a
   * {@linkplain ChangeBatch#resync(long) resync}.
   *
   * @param revision the last revision the caller has applied; {@code 0} for "from the start"
   * @param max the most changes to return, at least 1
   * @throws IllegalArgumentException if {@code revision < 0} or {@code max < 1}
   * @implSpec The default answers a resync at revision {@code 0}, whatever was asked.
   */
  default ChangeBatch changesSince(long revision, int max) throws Exception {
    checkFeedQuery(revision, max);
    return ChangeBatch.resync(0);
  }

  /**
   * Records an event that is not a change of state (such as {@link Change.Kind#VERSION_STOPPED})
   * in the feed, so that every node learns of it. The function and version need not be stored.
   *
   * @param function the function's name (any case)
   * @param kind a kind that is not {@linkplain Change.Kind#isStateChange() a state change}
   * @param version the version concerned, or null if the kind has none
   * @return the revision of the recorded change ({@code 0} if the store has no feed)
   * @throws IllegalArgumentException for a state-change kind (those are recorded by {@link #save}
   *     and {@link #delete}), or a missing or superfluous version
   * @throws FaasException with reason {@code INVALID_REQUEST} if a name is not a DNS label
   * @implSpec The default checks the arguments and records nothing.
   */
  default long announce(String function, Change.Kind kind, String version) throws Exception {
    checkAnnouncement(function, kind, version);
    return 0;
  }

  /**
   * Asks to be told when the feed may have moved, by a change through any store on the same
   * database. The listener is called at least once after each committed change (within about a
   * second, for stores that push), and with {@code resyncNeeded} after the store may have missed
   * some. Closing the subscription, or the store, ends the calls.
   *
   * @throws Exception if the store cannot set up what it needs to push (for example a dedicated
   *     database connection)
   * @implSpec The default never calls the listener and returns a subscription that does nothing.
   */
  default Subscription subscribe(ChangeListener listener) throws Exception {
    Objects.requireNonNull(listener, "listener");
    return () -> {};
  }

  /** Ends the calls of one {@link #subscribe subscription}. Idempotent; does not throw. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Checks the arguments of {@link #changesSince(long, int)}, for implementations.
   *
   * @throws IllegalArgumentException if {@code revision < 0} or {@code max < 1}
   */
  static void checkFeedQuery(long revision, int max) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative: " + revision);
    }
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
  }

  /**
   * Checks the arguments of {@link #announce(String, Change.Kind, String)}, for implementations.
   *
   * @throws IllegalArgumentException or {@link FaasException}, as {@code announce} documents
   */
  static void checkAnnouncement(String function, Change.Kind kind, String version) {
    Objects.requireNonNull(kind, "kind");
    if (kind.isStateChange()) {
      throw new IllegalArgumentException(kind + " is recorded by save or delete, not announced");
    }
    new Change(1, function, kind, version, null, Instant.EPOCH); // checks the name and the version
  }

  /** Releases the store's resources (not a caller-supplied {@code DataSource}). Idempotent. */
  @Override
  void close() throws Exception;
}
