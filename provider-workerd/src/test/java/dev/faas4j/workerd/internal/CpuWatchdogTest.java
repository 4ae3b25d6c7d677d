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
  void aProcessRunnableHalfTheTimeIsNot() {
    watchdog.check(7, killed::add);
    runAfter(1_000_000_000L, 500_000_000L);
    assertThat(killed).as("runnable 50 % of the window").isEmpty();
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
