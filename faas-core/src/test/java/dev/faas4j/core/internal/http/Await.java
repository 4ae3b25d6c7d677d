package dev.faas4j.core.internal.http;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for asynchronous conditions with a generous deadline (never a timing assertion). */
public final class Await {

  public static final Duration DEADLINE = Duration.ofSeconds(30);

  private Await() {}

  public static boolean latch(CountDownLatch latch) throws InterruptedException {
    return latch.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls {@code condition} until it holds or the deadline passes; returns its last value. */
  public static boolean until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
