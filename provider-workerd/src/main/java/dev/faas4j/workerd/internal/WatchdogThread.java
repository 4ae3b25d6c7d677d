package dev.faas4j.workerd.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The watchdog's scheduler: one daemon thread, started on first use and ended after a few idle
 * seconds, so an idle provider holds no thread. Thread-safe.
 */
public final class WatchdogThread implements CpuWatchdog.Scheduler, AutoCloseable {

  private final ScheduledThreadPoolExecutor executor;

  public WatchdogThread() {
    executor = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "faas4j-workerd-watchdog");
      thread.setDaemon(true);
      return thread;
    });
    executor.setKeepAliveTime(5, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public void schedule(Runnable task, Duration delay) {
    executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Drops pending checks and ends the thread. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
