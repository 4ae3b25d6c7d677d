package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionProvider;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured providers, in the order they were added, and which of them runs a runtime.
 *
 * <p>Immutable and thread-safe.
 */
public final class Providers {

  private static final Logger LOG = LoggerFactory.getLogger(Providers.class);

  private final List<FunctionProvider> all;

  public Providers(List<FunctionProvider> providers) {
    this.all = List.copyOf(providers);
  }

  /**
   * The first provider that serves {@code runtime}.
   *
   * @throws FaasException INVALID_REQUEST naming the runtimes that are served, if none serves it
   */
  public FunctionProvider forRuntime(String runtime) {
    for (FunctionProvider provider : all) {
      if (provider.runtimes().contains(runtime)) {
        return provider;
      }
    }
    List<String> known = all.stream().flatMap(p -> p.runtimes().stream()).sorted().toList();
    throw FaasException.invalid("runtime '" + runtime + "' is not served here; available runtimes: " + known);
  }

  /** The providers' names, for the log. */
  public List<String> names() {
    return all.stream().map(FunctionProvider::name).toList();
  }

  /** Closes every provider; a failure is logged and does not keep the others open. */
  public void closeAll() {
    for (FunctionProvider provider : all) {
      try {
        provider.close();
      } catch (RuntimeException e) {
        LOG.warn("provider {} failed to close: {}", provider.name(), e.toString());
      }
    }
  }
}
