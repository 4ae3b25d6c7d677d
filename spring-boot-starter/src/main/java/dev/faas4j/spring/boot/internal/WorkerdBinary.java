package dev.faas4j.spring.boot.internal;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.workerd.WorkerdProvider;
import java.nio.file.Files;

/**
 * The workerd part of {@link FaasHealth}, in a class of its own so that it is loaded only when
 * provider-workerd is on the classpath.
 */
final class WorkerdBinary {

  private WorkerdBinary() {}

  /** Why {@code provider}, if it is workerd, cannot start processes; null if it can or is not workerd. */
  static String problem(FunctionProvider provider) {
    if (!(provider instanceof WorkerdProvider workerd)) {
      return null;
    }
    return Files.isExecutable(workerd.binary()) ? null : "workerd binary " + workerd.binary() + " is missing or not"
        + " executable";
  }
}
