package dev.faas4j.docker.internal;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import java.util.Map;
import java.util.Set;

/**
 * What a spec's options say about its containers.
 *
 * @param port the container port the image serves HTTP on
 * @param healthPath the path probed for readiness
 */
record ContainerSettings(int port, String healthPath) {

  static final String PORT = "port";
  static final String HEALTH_PATH = "health-path";
  private static final Set<String> KNOWN = Set.of(PORT, HEALTH_PATH);

  /**
   * Reads and validates a spec for this runtime.
   *
   * @throws FaasException with reason {@code INVALID_REQUEST} for a spec this provider cannot run
   */
  static ContainerSettings of(FunctionSpec spec, Settings defaults) {
    if (!"docker".equals(spec.runtime())) {
      throw FaasException.invalid("the docker provider runs runtime 'docker', not '" + spec.runtime() + "'");
    }
    if (spec.image() == null || spec.image().isBlank()) {
      throw FaasException.invalid("runtime 'docker' needs an image, e.g. \"image\":\"my-function:1.0\"");
    }
    if (spec.code() != null && !spec.code().isEmpty()) {
      throw FaasException.invalid("runtime 'docker' takes an image, not code: remove 'code' from " + spec.ref());
    }
    if (spec.network() != null) {
      throw FaasException.invalid("the docker provider cannot enforce a network policy: remove 'network' from "
          + spec.ref() + " (containers use the engine's default bridge network)");
    }
    Map<String, String> options = spec.options();
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key)) {
        throw FaasException.invalid("unknown option '" + key + "' for runtime 'docker': use 'port' or 'health-path'");
      }
    }
    int port = defaults.defaultPort();
    if (options.containsKey(PORT)) {
      try {
        port = Integer.parseInt(options.get(PORT));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw FaasException.invalid("option 'port' must be a number from 1 to 65535, was '" + options.get(PORT) + "'");
      }
    }
    String healthPath = defaults.healthPath();
    if (options.containsKey(HEALTH_PATH)) {
      try {
        healthPath = Settings.requireHealthPath(options.get(HEALTH_PATH));
      } catch (IllegalArgumentException e) {
        throw FaasException.invalid("option 'health-path': " + e.getMessage());
      }
    }
    return new ContainerSettings(port, healthPath);
  }
}
