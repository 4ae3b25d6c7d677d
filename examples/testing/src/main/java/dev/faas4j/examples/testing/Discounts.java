package dev.faas4j.examples.testing;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Deployment;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FunctionInfo;
import dev.faas4j.core.VersionInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Application code under test: each tenant of a shop publishes its own discount rule as a
 * function; checkout asks the tenant's function for the price. A new rule goes live at once and
 * can be reverted to the one before.
 *
 * <p>In production the runtime is {@code "js"} (workerd); the code under test does not care.
 */
public final class Discounts {

  private final Faas faas;
  private final String runtime;
  private final URI gateway;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * @param faas the platform
   * @param runtime the runtime rules are written for
   * @param gateway where the application serves function traffic (its own HTTP server)
   */
  public Discounts(Faas faas, String runtime, URI gateway) {
    this.faas = faas;
    this.runtime = runtime;
    this.gateway = gateway;
  }

  /** Publishes a new rule for a tenant; it serves from now on. Returns its version. */
  public String publish(String tenant, String code) {
    Deployment deployment = faas.deploy(
        FunctionSpec.builder(functionName(tenant)).version(faas.newVersion()).runtime(runtime).code(code).build(), null);
    return deployment.version();
  }

  /** Goes back to the rule before the current one. */
  public void revert(String tenant) {
    FunctionInfo info = faas.describe(functionName(tenant));
    List<String> versions = info.versions().stream().map(VersionInfo::version).toList();
    int current = versions.indexOf(info.latest());
    if (current < 1) {
      throw new IllegalStateException("tenant " + tenant + " has no earlier rule to revert to");
    }
    faas.rollback(functionName(tenant), versions.get(current - 1), null);
  }

  /** The price after the tenant's discount, asking its function over HTTP. */
  public long price(String tenant, long cents) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/price?cents=" + cents))
        .header("Host", functionName(tenant) + "." + faas.domain())
        .timeout(Duration.ofSeconds(5))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("discount function of " + tenant + " answered " + response.statusCode() + ": " + response.body());
    }
    return Long.parseLong(response.body().trim());
  }

  private static String functionName(String tenant) {
    return "discount-" + tenant;
  }
}
