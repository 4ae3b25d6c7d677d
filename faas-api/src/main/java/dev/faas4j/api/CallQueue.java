package dev.faas4j.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A durable queue of {@link AsyncCall asynchronous invocations}: an optional capability a {@link
 * FunctionStore} may implement besides {@code FunctionStore} (faas-core finds it with {@code
 * instanceof}). Several nodes may share one queue; each pending call is claimed by one node at a
 * time, for a lease: a node that dies holding a call loses the lease, and another node (or the same
 * one restarted) claims the call again. Delivery is therefore at least once.
 *
 * <p>Implementations are thread-safe; a write that returned is durable. Methods may throw what the
 * store throws.
 */
public interface CallQueue {

  /**
   * Adds a call if fewer than {@code maxPending} calls are {@linkplain AsyncCall.State#isPending
   * pending}.
   *
   * @return whether it was added (false: the queue is full)
   */
  boolean enqueue(AsyncCall call, int maxPending) throws Exception;

  /**
   * Claims up to {@code max} pending calls due at {@code now} (not before their {@code notBefore})
   * that no live lease holds, for {@code node}, until {@code now + lease}; oldest due first.
   */
  List<AsyncCall> claim(String node, int max, Instant now, Duration lease) throws Exception;

  /**
   * Stores the new state of a claimed call and releases the claim.
   *
   * @return false if {@code node} no longer held the claim (its lease ran out and another node took
   *     the call); nothing is written then
   */
  boolean update(AsyncCall call, String node) throws Exception;

  /**
   * Releases every claim {@code node} holds, as a node starting again under the same id does: the
   * calls it held when it died are due again at once, without waiting for their lease to end.
   *
   * @return how many claims were released
   */
  int release(String node) throws Exception;

  /** The call with this id, if the queue still keeps it. */
  Optional<AsyncCall> call(String id) throws Exception;

  /** How many calls are pending. */
  int pending() throws Exception;

  /** Removes finished calls (succeeded or failed) last updated before {@code before}. Returns how many. */
  int prune(Instant before) throws Exception;
}
