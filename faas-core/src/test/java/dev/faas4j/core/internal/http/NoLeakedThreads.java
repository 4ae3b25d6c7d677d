package dev.faas4j.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a thread running which it started: servers, clients and upstream
 * handlers must all be stopped by the test that made them.
 */
public final class NoLeakedThreads implements BeforeEachCallback, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(NoLeakedThreads.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NAMESPACE).put("before", liveThreads());
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    @SuppressWarnings("unchecked")
    Set<Thread> before = (Set<Thread>) context.getStore(NAMESPACE).get("before");
    boolean clean = Await.until(() -> leaked(before).isEmpty());
    assertThat(clean)
        .as("threads started by the test are still running: %s", names(leaked(before)))
        .isTrue();
  }

  private static Set<Thread> leaked(Set<Thread> before) {
    Set<Thread> now = liveThreads();
    now.removeAll(before);
    return now;
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        // JDK-internal helpers that outlive any one test by design
        .filter(t -> !t.getName().startsWith("process reaper"))
        .filter(t -> !t.getName().startsWith("Common-Cleaner"))
        .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool"))
        .filter(t -> !t.getName().startsWith("Attach Listener"))
        .collect(Collectors.toSet());
  }

  private static String names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
  }
}
