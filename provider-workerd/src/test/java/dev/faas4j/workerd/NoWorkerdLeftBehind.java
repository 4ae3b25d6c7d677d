package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a workerd process started by this JVM, or one of the provider's
 * output-reader threads, alive. Registered for every class through {@code META-INF/services} and
 * {@code junit-platform.properties}.
 */
public final class NoWorkerdLeftBehind implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    List<String> processes = Processes.workerdDescendants().stream()
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
    assertThat(processes).as("workerd processes still alive after " + context.getDisplayName()).isEmpty();

    // Readers end at end-of-file, which follows the process's exit closely: allow a moment.
    Processes.await(Duration.ofSeconds(10), () -> readerThreads().isEmpty());
    assertThat(readerThreads()).as("workerd reader threads still alive after " + context.getDisplayName()).isEmpty();
  }

  private static List<String> readerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("workerd-"))
        .collect(Collectors.toList());
  }
}
