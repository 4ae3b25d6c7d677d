package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a process that spins from one that waits, after one of its requests timed out.
 *
 * <p>The rule: {@link #check} reads how long the process's threads have been runnable (running on a
 * CPU, or ready to run and waiting for one) now and again one {@code window} later; if that grew by at
 * least {@code share} of the window, the process is busy and {@code busy} is called with a
 * description. A JavaScript busy loop keeps its thread runnable all the time (about 100 % of the
 * window), whether it gets a whole core, shares a core with other work on a loaded machine, or is
 * throttled by its {@code cpus} limit; that is why runnable time is measured rather than CPU time,
 * which a loaded machine or a cpus limit would lower. A function awaiting a timer or a slow fetch is
 * asleep, near 0 %, and is left alone. One check per process runs at a time; a timeout during a check
 * adds nothing.
 *
 * <p>A thread's wait in the run queue is added to its runnable time only when it gets a CPU again,
 * so a sample taken while a spinning thread waits for one reads low; on a loaded machine that wait
 * is tens of milliseconds and a 500 ms window could read 80 %. A window that reads between half and
 * {@code share} is therefore inconclusive: the check goes on over up to {@value #WINDOWS} windows
 * from the same first sample, so such an error shrinks with each, and decides on the whole. (A
 * process under half is left alone at once.)
 *
 * <p>Time and CPU readings are injected, so the rule is tested without a real process. Thread-safe.
 */
public final class CpuWatchdog {

  private static final Logger LOG = LoggerFactory.getLogger(CpuWatchdog.class);
  /** The most windows one check measures over, when the first are inconclusive. */
  static final int WINDOWS = 3;
  /** Below this share of a window a process is not busy, whatever the next windows would say. */
  private static final double INCONCLUSIVE = 0.5;

  /** Runs a task once after a delay. */
  public interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  /** How long a process's threads have been runnable so far, in nanoseconds; empty when it is gone. */
  public interface CpuTime {
    OptionalLong nanos(long pid);
  }

  private final Scheduler scheduler;
  private final Duration window;
  private final double share;
  private final CpuTime cpuTime;
  private final LongSupplier nanoTime;
  private final Set<Long> checking = ConcurrentHashMap.newKeySet();

  /**
   * @param window how long the CPU use is measured over
   * @param share the fraction (0 to 1] of the window that counts as busy
   */
  public CpuWatchdog(Scheduler scheduler, Duration window, double share, CpuTime cpuTime, LongSupplier nanoTime) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in (0, 1], was " + share);
    }
    this.scheduler = scheduler;
    this.window = window;
    this.share = share;
    this.cpuTime = cpuTime;
    this.nanoTime = nanoTime;
  }

  /**
   * Measures {@code pid} over the window and calls {@code busy} (on the scheduler's thread) if it
   * spun.
   */
  public void check(long pid, Consumer<String> busy) {
    OptionalLong before = cpuTime.nanos(pid);
    if (before.isEmpty() || !checking.add(pid)) {
      return;
    }
    long start = nanoTime.getAsLong();
    sampleLater(pid, before.getAsLong(), start, 1, busy);
  }

  /** Takes the next sample one window later; {@code windows} counts this one. */
  private void sampleLater(long pid, long before, long start, int windows, Consumer<String> busy) {
    try {
      scheduler.schedule(() -> {
        boolean again = false;
        try {
          OptionalLong after = cpuTime.nanos(pid);
          long elapsed = nanoTime.getAsLong() - start;
          if (after.isEmpty() || elapsed <= 0) {
            return;
          }
          double runnable = (double) (after.getAsLong() - before) / elapsed;
          if (runnable >= share) {
            busy.accept(String.format(java.util.Locale.ROOT, "it kept computing (runnable %.0f%% of %d ms) after a"
                + " request timed out; the watchdog stops a process runnable %.0f%% or more of that time",
                runnable * 100, Duration.ofNanos(elapsed).toMillis(), share * 100));
          } else if (runnable >= INCONCLUSIVE && windows < WINDOWS) {
            again = true;
            sampleLater(pid, before, start, windows + 1, busy);
          } else {
            LOG.debug("pid {} was runnable {} of the time after a timeout: not busy", pid, runnable);
          }
        } finally {
          if (!again) {
            checking.remove(pid);
          }
        }
      }, window);
    } catch (RuntimeException rejected) {
      checking.remove(pid); // the scheduler is shut down: the provider is closing
    }
  }

  /**
   * Runnable time from {@code /proc/<pid>/task/<tid>/schedstat} (time on a CPU plus time waiting in a
   * run queue, summed over the threads); where the kernel keeps no schedstat, CPU time from
   * {@code /proc/<pid>/stat} instead (utime + stime, in clock ticks).
   */
  public static CpuTime procStat() {
    long tickNanos = 1_000_000_000L / clockTicksPerSecond();
    return pid -> {
      Path proc = Path.of("/proc", Long.toString(pid));
      try {
        if (Files.exists(proc.resolve("schedstat"))) {
          long nanos = 0;
          try (java.util.stream.Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path task : tasks.toList()) {
              try {
                String[] fields = Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII).trim().split(" ");
                nanos += Long.parseLong(fields[0]) + Long.parseLong(fields[1]);
              } catch (IOException threadEnded) {
                // a thread that ended between the listing and the read (ENOENT, or ESRCH from /proc)
              }
            }
          }
          return OptionalLong.of(nanos);
        }
        String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
        // fields after the command name, which is in parentheses and may hold spaces: state is field 3
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15
        return OptionalLong.of(ticks * tickNanos);
      } catch (IOException | RuntimeException gone) {
        return OptionalLong.empty();
      }
    };
  }

  /** {@code getconf CLK_TCK}; 100 (what Linux uses nearly everywhere) when it cannot be run. */
  private static long clockTicksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      getconf.waitFor();
      long ticks = Long.parseLong(out);
      return ticks > 0 ? ticks : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
