package dev.faas4j.examples.gateway;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.api.VersionStatus;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A provider wrapper that keeps functions away from the machine the gateway runs on.
 *
 * <p>workerd's default policy refuses loopback and private ranges, but an address of this machine
 * that is not private (a public IP, or a documentation/test range such as 192.0.2.0/24) counts as
 * "public", so a function could reach any service listening on all interfaces there, the gateway
 * included when it binds 0.0.0.0. This wrapper adds every address of this machine (found at start),
 * plus {@code 0.0.0.0/8} and {@code ::/128} (which reach the local host on Linux), to the deny list
 * of every function's policy, the default one and any a deploy asks for. The stored spec is
 * unchanged; only what the provider is given differs. Thread-safe, as the provider it wraps.
 */
final class HostAddressGuard implements FunctionProvider {

  private final FunctionProvider provider;
  private final NetworkPolicy defaultPolicy;
  private final List<String> denied;

  HostAddressGuard(FunctionProvider provider, NetworkPolicy defaultPolicy) {
    this.provider = provider;
    this.denied = List.copyOf(hostAddresses());
    this.defaultPolicy = guarded(defaultPolicy);
  }

  /** Every address of this machine as a one-address CIDR, plus the unspecified addresses. */
  static Set<String> hostAddresses() {
    Set<String> cidrs = new LinkedHashSet<>(List.of("0.0.0.0/8", "::/128"));
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          String text = address.getHostAddress();
          int scope = text.indexOf('%');
          if (scope >= 0) {
            text = text.substring(0, scope);
          }
          cidrs.add(text + (address instanceof Inet6Address ? "/128" : "/32"));
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list this machine's network addresses to keep functions away from"
          + " them: " + e.getMessage(), e);
    }
    return cidrs;
  }

  /** The deny entries added to every policy. */
  List<String> denied() {
    return denied;
  }

  NetworkPolicy guarded(NetworkPolicy policy) {
    List<String> deny = new ArrayList<>(policy.deny());
    for (String cidr : denied) {
      if (!deny.contains(cidr)) {
        deny.add(cidr);
      }
    }
    return new NetworkPolicy(policy.allow(), deny);
  }

  private FunctionSpec guarded(FunctionSpec spec) {
    NetworkPolicy policy = guarded(spec.network() == null ? defaultPolicy : spec.network());
    return new FunctionSpec(spec.name(), spec.version(), spec.runtime(), spec.code(), spec.image(), spec.env(),
        spec.labels(), spec.limits(), policy, spec.options());
  }

  @Override
  public String name() {
    return provider.name();
  }

  @Override
  public Set<String> runtimes() {
    return provider.runtimes();
  }

  @Override
  public void deploy(FunctionSpec spec) throws Exception {
    provider.deploy(guarded(spec));
  }

  @Override
  public void scale(FunctionRef ref, int replicas) throws Exception {
    provider.scale(ref, replicas);
  }

  @Override
  public void undeploy(FunctionRef ref) throws Exception {
    provider.undeploy(ref);
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    return provider.status(ref);
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    return provider.endpoint(ref);
  }

  @Override
  public <T> Optional<T> capability(Class<T> type) {
    return provider.capability(type);
  }

  @Override
  public void close() {
    provider.close();
  }
}
