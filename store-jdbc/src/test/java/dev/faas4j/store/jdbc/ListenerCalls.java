package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.api.ChangeListener;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChangeListener} that queues its calls, for tests that wait (with a deadline) for a
 * store to call it; and a check that no watcher thread outlives its store.
 */
final class ListenerCalls implements ChangeListener {

  /** How long to wait for what should happen within about a second: generous, for a loaded machine. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  private final BlockingQueue<Boolean> calls = new LinkedBlockingQueue<>();

  @Override
  public void changed(boolean resyncNeeded) {
    calls.add(resyncNeeded);
  }

  /** Forgets the calls so far. */
  void clear() {
    calls.clear();
  }

  /** Waits for a call, failing with {@code what} if none comes in time. */
  void awaitCall(String what) throws InterruptedException {
    if (calls.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS) == null) {
      fail("no call to the listener within " + PATIENCE + ": " + what);
    }
  }

  /** Waits for a call with {@code resyncNeeded}, skipping other calls, failing if none comes in time. */
  void awaitResync(String what) throws InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      Boolean call = calls.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (call == null) {
        fail("no call asking for a resync within " + PATIENCE + ": " + what);
      }
      if (call) {
        return;
      }
    }
  }

  /** Fails if a change watcher thread of any store is still alive. */
  static void assertNoWatcherThreadIsLeft() throws InterruptedException {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("faas4j-changes-")) {
        thread.join(PATIENCE.toMillis());
        if (thread.isAlive()) {
          fail("the change watcher thread " + thread.getName() + " outlived its store");
        }
      }
    }
  }
}
