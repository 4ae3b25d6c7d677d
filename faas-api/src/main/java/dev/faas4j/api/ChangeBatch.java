package dev.faas4j.api;

import java.util.List;

/**
 * The answer to {@link FunctionStore#changesSince(long, int)}: the next changes of the feed, or
 * word that the caller must reload everything.
 *
 * <p>Invariants, checked by the constructor: revisions in {@code changes} are consecutive (no gap)
 * and at most {@code currentRevision}; a batch that asks for a resync holds no changes.
 *
 * @param changes the changes after the revision asked for, oldest first; at most the {@code max}
 *     asked for
 * @param currentRevision the store's revision when it answered: every change up to it is committed
 * @param resyncNeeded {@code true} if the feed cannot say what changed since the revision asked
 *     for (it no longer holds the changes right after it, or the revision is newer than the
 *     store's): the caller must {@link FunctionStore#loadAll() reload everything} and then continue
 *     from {@code currentRevision}
 */
public record ChangeBatch(List<Change> changes, long currentRevision, boolean resyncNeeded) {

  public ChangeBatch {
    changes = List.copyOf(changes);
    if (currentRevision < 0) {
      throw new IllegalArgumentException("currentRevision must not be negative: " + currentRevision);
    }
    if (resyncNeeded && !changes.isEmpty()) {
      throw new IllegalArgumentException("a batch that asks for a resync holds no changes");
    }
    for (int i = 1; i < changes.size(); i++) {
      if (changes.get(i).revision() != changes.get(i - 1).revision() + 1) {
        throw new IllegalArgumentException("changes must have consecutive revisions: "
            + changes.get(i - 1).revision() + " is followed by " + changes.get(i).revision());
      }
    }
    if (!changes.isEmpty() && changes.get(changes.size() - 1).revision() > currentRevision) {
      throw new IllegalArgumentException("change " + changes.get(changes.size() - 1).revision()
          + " is newer than the current revision " + currentRevision);
    }
  }

  /** A batch telling the caller to reload everything and continue from {@code currentRevision}. */
  public static ChangeBatch resync(long currentRevision) {
    return new ChangeBatch(List.of(), currentRevision, true);
  }

  /**
   * The revision to pass to the next {@code changesSince}: that of the last change in this batch,
   * or {@code currentRevision} if it holds none (nothing is missing up to it, or a resync is due).
   */
  public long lastRevision() {
    return changes.isEmpty() ? currentRevision : changes.get(changes.size() - 1).revision();
  }

  /** Whether the store already held more changes than this batch returned (ask again at once). */
  public boolean hasMore() {
    return lastRevision() < currentRevision;
  }
}
