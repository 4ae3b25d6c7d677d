package dev.faas4j.workerd.internal;

import dev.faas4j.api.NetworkPolicy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps functions away from the machine they run on.
 *
 * <p>workerd's {@code public} keyword refuses loopback and private ranges, but an address of this
 * machine that is not private (a public IP, or a test range such as 192.0.2.0/24) still counts as
 * public, so a function could reach any service listening on all interfaces here, an embedding
 * application included. {@link #guard} adds every address of this machine, plus {@code 0.0.0.0/8}
 * and {@code ::/128} (which reach the local host on Linux), to the deny list of a policy.
 */
public final class HostAddresses {

  private HostAddresses() {}

  /**
   * Every non-loopback address of this machine as a one-address CIDR, plus the unspecified
   * addresses. Loopback stays governed by the policy itself (refused unless it allows {@code local}).
   */
  public static List<String> cidrs() {
    Set<String> cidrs = new LinkedHashSet<>(List.of("0.0.0.0/8", "::/128"));
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address.isLoopbackAddress()) {
            continue;
          }
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
    return List.copyOf(cidrs);
  }

  /** {@code policy} with {@code denied} added to its deny list. */
  public static NetworkPolicy guard(NetworkPolicy policy, List<String> denied) {
    if (denied.isEmpty()) {
      return policy;
    }
    List<String> deny = new ArrayList<>(policy.deny());
    for (String cidr : denied) {
      if (!deny.contains(cidr)) {
        deny.add(cidr);
      }
    }
    return new NetworkPolicy(policy.allow(), deny);
  }
}
