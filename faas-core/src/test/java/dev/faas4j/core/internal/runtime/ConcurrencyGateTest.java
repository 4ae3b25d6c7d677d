package dev.faas4j.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ConcurrencyGateTest {

  private static void awaitQueued(ConcurrencyGate gate, int queued) throws InterruptedException {
    while (gate.queued() != queued) {
      Thread.sleep(1);
    }
  }

  @Test
  void waitingRequestsEnterInTheOrderTheyArrivedAsPlacesFree() throws Exception {
    ConcurrencyGate gate = new ConcurrencyGate(1, 10);
    assertThat(gate.enter(Duration.ofSeconds(1))).isEqualTo(ConcurrencyGate.Outcome.ENTERED);
    List<Integer> entered = new CopyOnWriteArrayList<>();
    List<Thread> waiting = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      int n = i;
      Thread thread = new Thread(() -> {
        try {
          if (gate.enter(Duration.ofMinutes(1)) == ConcurrencyGate.Outcome.ENTERED) {
            entered.add(n);
            gate.leave();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      thread.start();
      waiting.add(thread);
      awaitQueued(gate, i); // request n is in line before n + 1 arrives
    }
    assertThat(gate.tryEnter()).as("a newcomer does not overtake the line").isFalse();

    gate.leave();
    for (Thread thread : waiting) {
      thread.join(60_000);
    }

    assertThat(entered).containsExactly(1, 2, 3, 4, 5);
    assertThat(gate.inside()).isZero();
    assertThat(gate.queued()).isZero();
  }

  @Test
  void aFullLineRefusesAtOnceAndATimedOutWaiterLeavesTheLine() throws Exception {
    ConcurrencyGate gate = new ConcurrencyGate(2, 0);
    assertThat(gate.tryEnter()).isTrue();
    assertThat(gate.tryEnter()).isTrue();
    assertThat(gate.enter(Duration.ofMinutes(1))).as("no line at all").isEqualTo(ConcurrencyGate.Outcome.QUEUE_FULL);

    ConcurrencyGate lined = new ConcurrencyGate(1, 1);
    lined.tryEnter();
    assertThat(lined.enter(Duration.ofMillis(20))).isEqualTo(ConcurrencyGate.Outcome.TIMED_OUT);
    assertThat(lined.queued()).as("the timed-out request left the line").isZero();
    lined.leave();
    assertThat(lined.inside()).as("its place was not handed to the request that gave up").isZero();
    assertThat(lined.tryEnter()).isTrue();
  }

  @Test
  void placesAreNeitherLostNorDuplicatedUnderContention() throws Exception {
    ConcurrencyGate gate = new ConcurrencyGate(3, 1_000);
    int[] inside = {0};
    int[] most = {0};
    Object lock = new Object();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 500; i++) {
          try {
            if (gate.enter(Duration.ofMillis(i % 7 == 0 ? 0 : 50)) != ConcurrencyGate.Outcome.ENTERED) {
              continue;
            }
          } catch (InterruptedException e) {
            return;
          }
          synchronized (lock) {
            most[0] = Math.max(most[0], ++inside[0]);
          }
          synchronized (lock) {
            inside[0]--;
          }
          gate.leave();
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(120_000);
    }
    assertThat(most[0]).as("most requests inside at once").isBetween(1, 3);
    assertThat(gate.inside()).as("inside at the end").isZero();
    assertThat(gate.queued()).as("queued at the end").isZero();
    assertThat(gate.tryEnter() && gate.tryEnter() && gate.tryEnter()).as("all three places free").isTrue();
  }
}
