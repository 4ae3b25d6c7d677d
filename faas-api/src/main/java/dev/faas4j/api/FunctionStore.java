package dev.faas4j.api;

import java.util.List;
import java.util.Optional;

/**
 * Durable state of every function, one {@link FunctionState} per function.
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

  /** Releases the store's resources (not a caller-supplied {@code DataSource}). Idempotent. */
  @Override
  void close() throws Exception;
}
