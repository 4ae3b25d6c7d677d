package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A soak run, on demand only: {@code -Dfaas4j.soak=3m} (or {@code 90s}, {@code 1h}). Moderate
 * traffic, a deploy every second, deletes of old versions, and versions that go idle and are
 * suspended and woken again, for the given time; then the load stops and the gateway's threads,
 * open files and workerd processes must come back to what they were before. Prints its figures.
 */
@EnabledIfSystemProperty(named = "faas4j.soak", matches = ".+")
class SoakIT extends GatewayTestSupport {

  private static final int FUNCTIONS = 3;
  private static final int THREAD_SLACK = 16;
  private static final int FD_SLACK = 32;

  private GatewayProcess gateway;

  private record Usage(int threads, int fds, int workerd) {}

  private Usage usage() throws IOException {
    long pid = gateway.process().pid();
    int threads = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("Threads:")).mapToInt(l -> Integer.parseInt(l.substring(8).trim())).findFirst().orElse(-1);
    int fds;
    try (Stream<Path> open = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      fds = (int) open.count();
    }
    return new Usage(threads, fds, GatewayProcess.workerdProcessesUnder(dataDir).size());
  }

  private boolean settled(Usage baseline) throws IOException {
    Usage now = usage();
    return now.workerd() <= baseline.workerd() && now.threads() <= baseline.threads() + THREAD_SLACK
        && now.fds() <= baseline.fds() + FD_SLACK;
  }

  @Test
  void afterMinutesOfTrafficDeploysAndSuspensionsThreadsFilesAndProcessesReturnToBaseline() throws Exception {
    Duration length = GatewayOptions.duration("faas4j.soak", System.getProperty("faas4j.soak"));
    gateway = start("--idle-timeout", "1s");
    Map<String, List<String>> versions = new ConcurrentHashMap<>();
    for (int f = 0; f < FUNCTIONS; f++) {
      String name = "soak" + f;
      assertThat(gateway.deployText(name, "v1", name + " v1").statusCode()).isEqualTo(200);
      versions.put(name, new java.util.concurrent.CopyOnWriteArrayList<>(List.of("v1")));
    }
    for (int f = 0; f < FUNCTIONS; f++) {
      gateway.get("soak" + f + ".func.local");
    }
    assertThat(GatewayProcess.eventually(Duration.ofSeconds(60), () -> usage().workerd() == FUNCTIONS)).isTrue();
    Usage baseline = usage();

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong requests = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    ConcurrentHashMap<Integer, AtomicInteger> failureStatuses = new ConcurrentHashMap<>();
    AtomicInteger deploys = new AtomicInteger();
    AtomicInteger deletes = new AtomicInteger();
    AtomicInteger peakThreads = new AtomicInteger();
    AtomicInteger peakFds = new AtomicInteger();
    AtomicInteger peakWorkerd = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      workers.add(new Thread(() -> {
        while (running.get()) {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          String name = "soak" + random.nextInt(FUNCTIONS);
          // v1 is called in every other 3-second window only, so that it is suspended and woken again.
          boolean oldOne = (System.currentTimeMillis() / 3000) % 2 == 0 && random.nextBoolean();
          try {
            HttpResponse<String> answer = gateway.get((oldOne ? "v1." : "") + name + ".func.local");
            requests.incrementAndGet();
            if (answer.statusCode() != 200) {
              failures.incrementAndGet();
              failureStatuses.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            }
            Thread.sleep(random.nextInt(5));
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      }, "soak-traffic-" + t));
    }
    workers.add(new Thread(() -> {
      int next = 2;
      while (running.get()) {
        try {
          String name = "soak" + (next % FUNCTIONS);
          String version = "v" + next++;
          if (gateway.deployText(name, version, name + " " + version).statusCode() == 200) {
            deploys.incrementAndGet();
            List<String> kept = versions.get(name);
            kept.add(version);
            while (kept.size() > 4) {
              String old = kept.get(1); // v1 stays, for the suspend and wake traffic
              if (gateway.admin("DELETE", "/functions/" + name + "/versions/" + old, null).statusCode() == 200) {
                deletes.incrementAndGet();
              }
              kept.remove(old);
            }
          }
          Usage now = usage();
          peakThreads.accumulateAndGet(now.threads(), Math::max);
          peakFds.accumulateAndGet(now.fds(), Math::max);
          peakWorkerd.accumulateAndGet(now.workerd(), Math::max);
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          System.out.println("soak deployer: " + e);
        }
      }
    }, "soak-deployer"));
    workers.forEach(Thread::start);
    long end = System.nanoTime() + length.toNanos();
    try {
      while (System.nanoTime() < end) {
        Thread.sleep(1000);
      }
    } finally {
      running.set(false);
      for (Thread worker : workers) {
        worker.join(60_000);
      }
    }

    boolean settled = GatewayProcess.eventually(Duration.ofSeconds(120), () -> settled(baseline));
    Usage after = usage();
    long suspended = gateway.output().lines().filter(l -> l.contains("due to inactivity")).count();
    System.out.printf("soak %s: %d requests, %d failed %s, %d deploys, %d deletes, >= %d suspensions in the last"
            + " 2000 log lines%n  baseline threads=%d fds=%d workerd=%d; peak threads=%d fds=%d workerd=%d;"
            + " after threads=%d fds=%d workerd=%d%n",
        length, requests.get(), failures.get(), failureStatuses, deploys.get(), deletes.get(), suspended,
        baseline.threads(), baseline.fds(), baseline.workerd(), peakThreads.get(), peakFds.get(), peakWorkerd.get(),
        after.threads(), after.fds(), after.workerd());
    assertThat(failures.get()).as("failed requests").isZero();
    assertThat(after.workerd()).as("workerd processes after the load (baseline " + baseline + ")").isLessThanOrEqualTo(baseline.workerd());
    assertThat(after.threads()).as("gateway threads after the load (baseline " + baseline + ")")
        .isLessThanOrEqualTo(baseline.threads() + THREAD_SLACK);
    assertThat(after.fds()).as("gateway open files after the load (baseline " + baseline + ", settled=" + settled + ")")
        .isLessThanOrEqualTo(baseline.fds() + FD_SLACK);
  }
}
