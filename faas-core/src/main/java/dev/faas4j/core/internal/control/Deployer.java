package dev.faas4j.core.internal.control;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.TrafficSplit;
import dev.faas4j.api.Validation;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Providers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds a version: checks it against the function's committed state (versions are immutable; an
 * alias and a version may not share a name), gives it to its provider, starts it when the latest is
 * kept warm, and commits it as the latest. A version that was not committed is taken back from
 * its provider, so a failed deploy changes nothing.
 *
 * <p>Thread-safe: changes to one function are serialised by the {@link Registry}.
 */
final class Deployer {

  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  private final Registry registry;
  private final Instances instances;
  private final Providers providers;
  private final Addresses addresses;
  private final Clock clock;
  private final boolean keepLatestWarm;
  private final long maxCodeBytes;

  Deployer(Registry registry, Instances instances, Providers providers, Addresses addresses, Clock clock,
      boolean keepLatestWarm, long maxCodeBytes) {
    this.registry = registry;
    this.instances = instances;
    this.providers = providers;
    this.addresses = addresses;
    this.clock = clock;
    this.keepLatestWarm = keepLatestWarm;
    this.maxCodeBytes = maxCodeBytes;
  }

  /** See {@link FunctionService#deploy}. */
  Deployed deploy(FunctionSpec spec, String alias) {
    String aliasKey = optionalLabel("alias", alias);
    FunctionProvider provider = providers.forRuntime(spec.runtime());
    checkCodeSize(spec);
    return registry.write(spec.name(), () -> deployLocked(spec, aliasKey, provider));
  }

  private Deployed deployLocked(FunctionSpec requested, String alias, FunctionProvider provider) {
    Optional<FunctionState> current = registry.get(requested.name());
    FunctionSpec spec = current.map(state -> renamed(requested, state.name())).orElse(requested);
    boolean isNew = true;
    if (current.isPresent()) {
      FunctionState state = current.get();
      Optional<FunctionVersion> existing = state.version(spec.version());
      if (existing.isPresent()) {
        if (!existing.get().spec().sameDefinitionAs(spec)) {
          throw FaasException.conflict("version " + spec.version() + " of " + state.name() + " already exists with a"
              + " different definition; versions are immutable, so deploy it as a new version");
        }
        isNew = false;
      }
      if (state.aliases().containsKey(spec.version())) {
        throw FaasException.conflict("'" + spec.version() + "' is an alias of " + state.name()
            + "; a version may not have the name of an alias");
      }
      refuseAliasNamedAsVersion(state, alias);
    }
    if (alias != null && alias.equals(spec.version())) {
      throw FaasException.conflict("alias '" + alias + "' has the name of the version it points at");
    }

    FunctionRef ref = spec.ref();
    if (isNew) {
      deployToProvider(spec, provider);
    }
    try {
      if (keepLatestWarm) {
        startAtDeploy(ref);
      }
      FunctionState next = next(current, spec, isNew, alias);
      registry.commit(next);
      registry.forgetMissing(next.key());
      LOG.info("deployed {} as the latest version{}", ref, alias == null ? "" : " with alias " + alias);
      return addresses.deployed(next.name(), spec.version(), alias);
    } catch (RuntimeException e) {
      if (isNew) {
        instances.discard(spec, provider);
      }
      throw e;
    }
  }

  private FunctionState next(Optional<FunctionState> current, FunctionSpec spec, boolean isNew, String alias) {
    List<FunctionVersion> versions = new ArrayList<>(current.map(FunctionState::versions).orElse(List.of()));
    if (isNew) {
      versions.add(new FunctionVersion(spec, clock.instant()));
    }
    Map<String, String> aliases = new LinkedHashMap<>(current.map(FunctionState::aliases).orElse(Map.of()));
    Map<String, TrafficSplit> splits = new LinkedHashMap<>(current.map(FunctionState::splits).orElse(Map.of()));
    if (alias != null) {
      aliases.put(alias, spec.version());
      splits.remove(alias);
    }
    long revision = current.map(FunctionState::revision).orElse(0L) + 1;
    String name = current.map(FunctionState::name).orElse(spec.name());
    return new FunctionState(name, revision, versions, aliases, spec.version(), splits);
  }

  private void deployToProvider(FunctionSpec spec, FunctionProvider provider) {
    long begun = clock.millis();
    try {
      provider.deploy(spec);
    } catch (FaasException e) {
      throw e;
    } catch (Exception e) {
      throw new FaasException(FaasException.Reason.INTERNAL,
          provider.name() + " failed to deploy " + spec.ref() + ": " + e.getMessage(), e);
    }
    instances.register(spec, provider, true, clock.millis() - begun);
  }

  private void startAtDeploy(FunctionRef ref) {
    try {
      instances.start(ref);
    } catch (FaasException e) {
      throw new FaasException(FaasException.Reason.INVALID_FUNCTION, e.getMessage(), e);
    }
  }

  private void checkCodeSize(FunctionSpec spec) {
    String code = spec.code();
    if (code != null && (long) code.length() > maxCodeBytes / 3) {
      long bytes = code.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxCodeBytes) {
        throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE,
            "code is " + bytes + " bytes; the limit is " + maxCodeBytes);
      }
    }
  }

  /** The spec under the function's name as first deployed, when the request spelt it in another case. */
  private static FunctionSpec renamed(FunctionSpec spec, String name) {
    return name.equals(spec.name()) ? spec : new FunctionSpec(name, spec.version(), spec.runtime(), spec.code(),
        spec.image(), spec.env(), spec.labels(), spec.limits(), spec.network(), spec.options(), spec.scaling());
  }

  /** A label in canonical form, or null when {@code value} is null or empty. */
  static String optionalLabel(String what, String value) {
    return value == null || value.isEmpty() ? null : Validation.canonical(Validation.requireLabel(what, value));
  }

  /** Refuses an alias (null for none) that has the name of one of the function's versions. */
  static void refuseAliasNamedAsVersion(FunctionState state, String alias) {
    if (alias != null && state.version(alias).isPresent()) {
      throw FaasException.conflict("alias '" + alias + "' has the name of a version of " + state.name());
    }
  }
}
