package dev.faas4j.workerd.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * This machine's own addresses, which {@link NetworkGuard} keeps functions away from.
 *
 * <p>workerd's {@code public} keyword refuses loopback and private ranges, but an address of this
 * machine that is not private (a public IP, or a test range such as 192.0.2.0/24) still counts as
 * public, and {@code private} covers the rest: without a deny of each one, a function could reach
 * any service listening on all interfaces here, an embedding application included. The list is
 * taken once, when the provider is built: an interface that comes up later is not in it.
 */
public final class HostAddresses {

  private HostAddresses() {}

  /** Every address of every interface of this machine except loopback (which is denied as a range). */
  public static List<InetAddress> list() {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (!address.isLoopbackAddress()) {
            addresses.add(address);
          }
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list this machine's network addresses to keep functions away from"
          + " them: " + e.getMessage(), e);
    }
    return List.copyOf(addresses);
  }
}
