package dev.faas4j.core.internal.secrets;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.EnvUpdates;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider seen through the secrets: every version it deploys gets its function's secrets added
 * to its env (a secret wins over an env var of the same name), and {@link #rotate} hands new values
 * to the versions it runs, through the provider's {@link EnvUpdates}. The stored spec never holds a
 * secret; only the spec given to the provider does.
 *
 * <p>Everything else is passed through, capabilities included. Thread-safe.
 */
public final class SecretEnv implements FunctionProvider {

  private static final Logger LOG = LoggerFactory.getLogger(SecretEnv.class);

  private final FunctionProvider delegate;
  private final Secrets secrets;
  /** The specs (without secrets) of the versions deployed through this wrapper. */
  private final ConcurrentHashMap<FunctionRef, FunctionSpec> deployed = new ConcurrentHashMap<>();

  SecretEnv(FunctionProvider delegate, Secrets secrets) {
    this.delegate = delegate;
    this.secrets = secrets;
  }

  /** The provider this one wraps. */
  public FunctionProvider delegate() {
    return delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Set<String> runtimes() {
    return delegate.runtimes();
  }

  @Override
  public void deploy(FunctionSpec spec) throws Exception {
    delegate.deploy(withSecrets(spec, secrets.values(spec.name())));
    deployed.put(spec.ref(), spec);
  }

  @Override
  public void scale(FunctionRef ref, int replicas) throws Exception {
    delegate.scale(ref, replicas);
  }

  @Override
  public void undeploy(FunctionRef ref) throws Exception {
    deployed.remove(ref);
    delegate.undeploy(ref);
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    return delegate.status(ref);
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    return delegate.endpoint(ref);
  }

  @Override
  public List<Endpoint> endpoints(FunctionRef ref) {
    return delegate.endpoints(ref);
  }

  @Override
  public <T> Optional<T> capability(Class<T> type) {
    return delegate.capability(type);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /**
   * Gives every version of {@code function} deployed here its function's current secrets.
   *
   * @return the versions updated
   * @throws FaasException from the provider (the versions not yet updated keep their values)
   */
  List<String> rotate(String function) {
    List<FunctionSpec> specs = new ArrayList<>();
    deployed.forEach((ref, spec) -> {
      if (ref.name().equals(function)) {
        specs.add(spec);
      }
    });
    if (specs.isEmpty()) {
      return List.of();
    }
    Optional<EnvUpdates> updates = delegate.capability(EnvUpdates.class);
    if (updates.isEmpty()) {
      LOG.warn("provider {} cannot give running versions new env values: the new secrets of {} reach them when"
          + " they are next deployed", delegate.name(), function);
      return List.of();
    }
    Map<String, String> values = secrets.values(function);
    List<String> updated = new ArrayList<>();
    for (FunctionSpec spec : specs) {
      try {
        updates.get().updateEnv(withSecrets(spec, values));
      } catch (FaasException e) {
        throw e;
      } catch (Exception e) {
        throw new FaasException(FaasException.Reason.UNAVAILABLE, delegate.name() + " could not give "
            + spec.ref() + " its new secrets: " + e.getMessage(), e);
      }
      updated.add(spec.version());
    }
    return updated;
  }

  /** {@code spec} with {@code values} added to its env. */
  static FunctionSpec withSecrets(FunctionSpec spec, Map<String, String> values) {
    if (values.isEmpty()) {
      return spec;
    }
    Map<String, String> env = new LinkedHashMap<>(spec.env());
    env.putAll(values);
    return new FunctionSpec(spec.name(), spec.version(), spec.runtime(), spec.code(), spec.image(), env,
        spec.labels(), spec.limits(), spec.network(), spec.options(), spec.scaling());
  }
}
