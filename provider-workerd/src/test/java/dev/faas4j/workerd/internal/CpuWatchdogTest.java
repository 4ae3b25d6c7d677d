package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The watchdog's rule, on hand-set CPU and wall times. */
class CpuWatchdogTest {

  final AtomicLong wall = new AtomicLong();
  final AtomicLong cpu = new AtomicLong();
  final List<Runnable> scheduled = new ArrayList<>();
  final List<String> killed = new ArrayList<>();
  final CpuWatchdog watchdog = new CpuWatchdog((task, delay) -> scheduled.add(task), Duration.ofSeconds(1), 0.9,
      pid -> cpu.get() < 0 ? OptionalLong.empty() : OptionalLong.of(cpu.get()), wall::get);

  private void runAfter(long wallNanos, long cpuNanos) {
    wall.addAndGet(wallNanos);
    cpu.addAndGet(cpuNanos);
    scheduled.remove(0).run();
  }

  @Test
  void aProcessRunnableAlmostAllTheTimeIsBusy() {
    watchdog.check(7, killed::add);
    runAfter(1_000_000_000L, 950_000_000L);
    assertThat(killed).as("runnable 95 % of the window").hasSize(1);
    assertThat(killed.get(0)).contains("95%");
  }

  @Test
  void aProcessRunnableUnderHalfTheTimeIsLeftAloneAtOnce() {
    watchdog.check(7, killed::add);
    runAfter(1_000_000_000L, 400_000_000L);
    assertThat(killed).as("runnable 40 % of the window").isEmpty();
    assertThat(scheduled).as("no second window").isEmpty();
  }

  /**
   * A spinning thread waiting for a CPU at the second sample has that wait counted only once it
   * runs again: on a loaded machine a window reads low. Between half and the share, the check goes
   * on from the same first sample.
   */
  @Test
  void aWindowBetweenHalfAndTheShareIsMeasuredAgainFromTheSameFirstSample() {
    watchdog.check(7, killed::add);
    runAfter(1_000_000_000L, 800_000_000L);
    assertThat(killed).as("runnable 80 % of the first window").isEmpty();
    assertThat(scheduled).as("a second window").hasSize(1);

    runAfter(1_000_000_000L, 1_000_000_000L);

    assertThat(killed).as("runnable 90 % of both windows").hasSize(1);
    assertThat(killed.get(0)).contains("90%").contains("2000 ms");
  }

  @Test
  void aProcessThatStaysInconclusiveIsLeftAloneAfterTheLastWindow() {
    watchdog.check(7, killed::add);
    for (int window = 1; window <= CpuWatchdog.WINDOWS; window++) {
      assertThat(scheduled).as("window %d", window).hasSize(1);
      runAfter(1_000_000_000L, 700_000_000L);
    }
    assertThat(killed).as("runnable 70 % of every window").isEmpty();
    assertThat(scheduled).as("no window after the last").isEmpty();
    watchdog.check(7, killed::add);
    assertThat(scheduled).as("the check ended: a new timeout starts a new one").hasSize(1);
  }

  @Test
  void oneCheckPerProcessAtATime() {
    watchdog.check(7, killed::add);
    watchdog.check(7, killed::add);
    assertThat(scheduled).as("checks scheduled for two timeouts during one").hasSize(1);
    runAfter(1_000_000_000L, 1_000_000_000L);
    watchdog.check(7, killed::add);
    assertThat(scheduled).as("a check after the first ended").hasSize(1);
  }

  @Test
  void aProcessGoneMeanwhileIsLeftAlone() {
    watchdog.check(7, killed::add);
    cpu.set(-1);
    runAfter(1_000_000_000L, 0);
    assertThat(killed).isEmpty();
  }
}
