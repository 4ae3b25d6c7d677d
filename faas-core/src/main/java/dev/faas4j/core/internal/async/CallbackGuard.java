package dev.faas4j.core.internal.async;

import dev.faas4j.api.FaasException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbound rule for callback URLs, the same as for functions: public addresses only, unless an
 * address is inside one of the allowed CIDRs. Loopback, private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), link-local, carrier-grade NAT (100.64/10), unspecified, benchmark, documentation-free
 * reserved and multicast ranges are refused, so a callback is no way to reach the machine or its
 * network. The host is resolved, and every address it resolves to must pass.
 *
 * <p>Immutable; thread-safe.
 */
public final class CallbackGuard {

  private final List<byte[][]> allowed; // {network, mask}

  /**
   * @param allowCidrs CIDRs callbacks may reach although they are not public, e.g. {@code 127.0.0.1/32}
   * @throws IllegalArgumentException for an entry that is not a CIDR
   */
  public CallbackGuard(List<String> allowCidrs) {
    List<byte[][]> parsed = new ArrayList<>();
    for (String cidr : allowCidrs) {
      parsed.add(parse(cidr));
    }
    this.allowed = List.copyOf(parsed);
  }

  /** A checked callback target: the URL and the address it resolved to, which is the one to connect to. */
  record Target(URI uri, InetAddress address) {}

  /**
   * Checks a callback URL before the call is accepted or the callback sent.
   *
   * @return the URL and the first address it resolves to (connect to that one, so that a second
   *     resolution cannot lead elsewhere)
   * @throws FaasException INVALID_REQUEST naming what is wrong
   */
  public Target check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw FaasException.invalid("X-Callback-Url is not a URL: " + abbreviate(url));
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
        || uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw FaasException.invalid("X-Callback-Url must be an http:// or https:// URL with a host and no user"
          + " info, was " + abbreviate(url));
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw FaasException.invalid("the host of X-Callback-Url does not resolve: " + abbreviate(uri.getHost()));
    }
    for (InetAddress address : addresses) {
      if (!isPublic(address) && !isAllowed(address)) {
        throw FaasException.invalid("X-Callback-Url " + abbreviate(url) + " leads to " + address.getHostAddress()
            + ", which is not a public address; callbacks reach public addresses only unless allowed"
            + " (AsyncOptions.callbackAllow)");
      }
    }
    return new Target(uri, addresses[0]);
  }

  /** Whether an address is public: none of the local, private or reserved ranges. */
  static boolean isPublic(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    if (b.length == 4) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first != 0 && first != 10 && first != 127 && first < 224
          && !(first == 100 && second >= 64 && second < 128)
          && !(first == 169 && second == 254)
          && !(first == 172 && second >= 16 && second < 32)
          && !(first == 192 && second == 168)
          && !(first == 192 && second == 0 && (b[2] & 0xff) == 0)
          && !(first == 198 && (second == 18 || second == 19));
    }
    if ((b[0] & 0xfe) == 0xfc) {
      return false; // fc00::/7, unique local
    }
    boolean v4Compatible = true;
    for (int i = 0; i < 12; i++) {
      v4Compatible &= b[i] == 0;
    }
    return !v4Compatible; // ::/96 (the unspecified and v4-compatible forms)
  }

  private boolean isAllowed(InetAddress address) {
    byte[] b = address.getAddress();
    for (byte[][] cidr : allowed) {
      if (cidr[0].length == b.length && matches(b, cidr[0], cidr[1])) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] address, byte[] network, byte[] mask) {
    for (int i = 0; i < address.length; i++) {
      if ((address[i] & mask[i]) != network[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[][] parse(String cidr) {
    int slash = cidr.indexOf('/');
    try {
      if (slash < 0 || !cidr.substring(0, slash).matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException();
      }
      byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
      int bits = Integer.parseInt(cidr.substring(slash + 1));
      if (bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException();
      }
      byte[] mask = new byte[network.length];
      for (int i = 0; i < bits; i++) {
        mask[i / 8] |= (byte) (0x80 >>> (i % 8));
      }
      for (int i = 0; i < network.length; i++) {
        network[i] &= mask[i];
      }
      return new byte[][] {network, mask};
    } catch (IllegalArgumentException | UnknownHostException e) {
      throw new IllegalArgumentException("not a CIDR (address/bits, e.g. 127.0.0.1/32): '" + cidr + "'");
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 97) + "...";
  }
}
