package dev.faas4j.spring.boot.internal;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FunctionInfo;
import dev.faas4j.core.VersionInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.ClassUtils;

/**
 * The health of faas4j in an application, independent of which Spring Boot reports it: DOWN when
 * the store cannot be read or a provider cannot run functions (the workerd binary is gone or not
 * executable); UP otherwise. A version that failed is a problem of that function, not of the
 * application: it is listed ({@code failedVersions}) without making the application DOWN.
 *
 * <p>Thread-safe; each {@link #check()} reads the store once.
 */
public final class FaasHealth {

  private static final boolean WORKERD_PRESENT =
      ClassUtils.isPresent("dev.faas4j.workerd.WorkerdProvider", FaasHealth.class.getClassLoader());

  private final Faas faas;
  private final FunctionStore store;
  private final List<FunctionProvider> providers;

  /**
   * @param store the store the Faas was built with, or null when it is not a bean (then only the
   *     functions the Faas lists are checked)
   */
  public FaasHealth(Faas faas, FunctionStore store, List<FunctionProvider> providers) {
    this.faas = faas;
    this.store = store;
    this.providers = List.copyOf(providers);
  }

  /** One check: whether faas4j can serve, and why not. */
  public record Report(boolean up, Map<String, Object> details) {}

  /** Checks the store and the providers now. */
  public Report check() {
    Map<String, Object> details = new LinkedHashMap<>();
    boolean up = true;
    if (store != null) {
      try {
        details.put("storeRevision", store.currentRevision());
      } catch (Exception e) {
        up = false;
        details.put("store", "unreachable: " + e);
      }
    }
    Map<String, Object> providerDetails = new LinkedHashMap<>();
    for (FunctionProvider provider : providers) {
      String problem = WORKERD_PRESENT ? WorkerdBinary.problem(provider) : null;
      providerDetails.put(provider.name(), problem == null ? "usable, runtimes " + provider.runtimes() : problem);
      up &= problem == null;
    }
    details.put("providers", providerDetails);
    if (up) {
      try {
        details.put("failedVersions", failedVersions());
      } catch (RuntimeException e) {
        up = false;
        details.put("functions", "cannot be listed: " + e.getMessage());
      }
    }
    return new Report(up, details);
  }

  private List<String> failedVersions() {
    List<String> failed = new ArrayList<>();
    for (FunctionInfo function : faas.list()) {
      for (VersionInfo version : function.versions()) {
        if (version.state() == VersionStatus.State.FAILED) {
          failed.add(function.name() + ":" + version.version());
        }
      }
    }
    return failed;
  }
}
