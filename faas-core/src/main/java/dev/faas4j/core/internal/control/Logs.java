package dev.faas4j.core.internal.control;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionLogs;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.LogLine;
import dev.faas4j.core.internal.runtime.Providers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Functions' output as their providers keep it: one version's lines, or every version's merged by
 * time, and following new lines as they are written.
 *
 * <p>Thread-safe.
 */
final class Logs {

  private final Registry registry;
  private final Providers providers;

  Logs(Registry registry, Providers providers) {
    this.registry = registry;
    this.providers = providers;
  }

  /**
   * The last {@code maxLines} lines of one version, or of every version merged by time when {@code
   * version} is null.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version, NOT_SUPPORTED when no
   *     provider of the versions asked for keeps logs
   */
  List<LogLine> lines(String name, String version, int maxLines) {
    List<LogLine> merged = new ArrayList<>();
    for (FunctionVersion target : targets(name, version)) {
      logsOf(target).ifPresent(logs -> merged.addAll(logs.lines(target.spec().ref(), maxLines)));
    }
    merged.sort(Comparator.comparing(LogLine::time));
    return merged.subList(Math.max(0, merged.size() - maxLines), merged.size());
  }

  /**
   * Follows one version's output, or every version's when {@code version} is null, until the
   * returned handle is closed. Versions not deployed on this node's provider are left out of a
   * whole function's stream.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version (or one version that is
   *     not deployed here), NOT_SUPPORTED when no provider of the versions can follow its logs
   */
  AutoCloseable follow(String name, String version, Consumer<LogLine> listener) {
    List<AutoCloseable> followed = new ArrayList<>();
    FaasException refused = null;
    try {
      for (FunctionVersion target : targets(name, version)) {
        Optional<FunctionLogs> logs = logsOf(target);
        if (logs.isEmpty()) {
          continue;
        }
        try {
          followed.add(logs.get().follow(target.spec().ref(), listener));
        } catch (FaasException e) {
          if (version != null) {
            throw e;
          }
          refused = e;
        }
      }
    } catch (RuntimeException e) {
      closeAll(followed);
      throw e;
    }
    if (followed.isEmpty()) {
      throw refused != null ? refused : notSupported();
    }
    return () -> closeAll(followed);
  }

  private List<FunctionVersion> targets(String name, String version) {
    FunctionState state = registry.require(name);
    if (version == null) {
      List<FunctionVersion> all = state.versions();
      if (all.stream().noneMatch(v -> logsOf(v).isPresent())) {
        throw notSupported();
      }
      return all;
    }
    FunctionVersion target = state.version(version).orElseThrow(() -> FaasException.notFound(
        "function " + state.name() + " has no version '" + version + "'"));
    if (logsOf(target).isEmpty()) {
      FunctionProvider provider = providers.forRuntime(target.spec().runtime());
      throw new FaasException(FaasException.Reason.NOT_SUPPORTED, "the " + provider.name() + " provider does not keep logs");
    }
    return List.of(target);
  }

  private Optional<FunctionLogs> logsOf(FunctionVersion version) {
    return providers.forRuntime(version.spec().runtime()).capability(FunctionLogs.class);
  }

  private static FaasException notSupported() {
    return new FaasException(FaasException.Reason.NOT_SUPPORTED, "no provider of this function keeps logs");
  }

  private static void closeAll(List<AutoCloseable> handles) {
    for (AutoCloseable handle : handles) {
      try {
        handle.close();
      } catch (Exception ignored) {
        // a listener that cannot be removed only costs a dropped line now and then
      }
    }
  }
}
