package dev.faas4j.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a workerd process started by this JVM, or a thread it started,
 * alive. Registered for every class through {@code META-INF/services}, so it runs around Spring's
 * own extension: its check comes after Spring has closed the application context.
 */
public final class NoLeftovers implements BeforeAllCallback, AfterAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeftovers.class);
  /**
   * JDK threads that outlive their users by design: process exit watchers, HttpClient selectors,
   * and the shared common pool (Caffeine runs its maintenance there), each ending when idle.
   */
  private static final List<String> JDK_THREADS =
      List.of("process reaper", "HttpClient-", "Attach Listener", "ForkJoinPool.commonPool-worker-");

  @Override
  public void beforeAll(ExtensionContext context) {
    Set<Long> before = liveThreads().stream().map(Thread::getId).collect(Collectors.toSet());
    context.getStore(NAMESPACE).put("threads", before);
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    @SuppressWarnings("unchecked")
    Set<Long> before = (Set<Long>) context.getStore(NAMESPACE).get("threads", Set.class);
    Supplier<List<String>> newThreads = () -> liveThreads().stream()
        .filter(t -> !before.contains(t.getId()))
        .map(Thread::getName)
        .filter(name -> JDK_THREADS.stream().noneMatch(name::startsWith))
        .collect(Collectors.toList());

    // Processes and threads end shortly after close() returns: poll with a generous deadline.
    awaitEmpty(NoLeftovers::workerdProcesses);
    assertThat(workerdProcesses()).as("workerd processes still alive after " + context.getDisplayName()).isEmpty();
    awaitEmpty(newThreads);
    assertThat(newThreads.get()).as("threads still alive after " + context.getDisplayName()).isEmpty();
  }

  /** Live workerd processes started, directly or not, by this JVM. */
  static List<String> workerdProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("workerd")).orElse(false))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
  }

  private static List<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toList());
  }

  private static void awaitEmpty(Supplier<List<String>> leftovers) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (!leftovers.get().isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
  }
}
