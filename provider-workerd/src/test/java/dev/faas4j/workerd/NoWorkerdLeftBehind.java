package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a workerd process started by this JVM alive. Registered for
 * every class through {@code META-INF/services} and {@code junit-platform.properties}.
 */
public final class NoWorkerdLeftBehind implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> alive = Processes.workerdDescendants().stream()
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .collect(Collectors.toList());
    assertThat(alive).as("workerd processes still alive after " + context.getDisplayName()).isEmpty();
  }
}
