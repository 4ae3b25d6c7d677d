package dev.faas4j.core.internal.runtime;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for faas4j's own pools. */
public final class Threads {

  private Threads() {}

  /**
   * Interrupts a pool's tasks and waits up to five seconds for its threads to end, so that none
   * outlives its owner's close.
   */
  public static void stop(java.util.concurrent.ExecutorService pool) {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Daemon threads named {@code prefix} followed by 1, 2, ...: they never keep the JVM alive. */
  public static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
