package dev.faas4j.workerd.internal;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.NetworkPolicy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the network policy a function asks for into the one workerd gets, so that no policy
 * reaches this machine: loopback, {@code 0.0.0.0/8} and {@code ::} (which Linux connects to the
 * local host), their IPv4-mapped IPv6 forms, and every address of this machine's interfaces.
 * Immutable and thread-safe.
 *
 * <h2>How workerd decides</h2>
 *
 * workerd hands {@code network = (allow, deny)} to kj's {@code NetworkFilter}. For an address, kj
 * first looks at the allow entries: {@code public} and {@code network} match with specificity 0,
 * each CIDR that matches with its prefix length as written (an IPv4 CIDR also matches the IPv4-mapped
 * IPv6 form of its addresses, with its IPv4 prefix length), and the allow specificity is the
 * largest of these. Then the address is refused if any matching deny CIDR has a specificity
 * <em>greater than or equal to</em> it: a tie goes to deny, a more specific allow beats a deny.
 * The keyword {@code private} expands to kj's private ranges <em>plus</em> its local ones
 * ({@code 127.0.0.0/8}, {@code ::1/128}, {@code 0.0.0.0/32}, {@code ::/128}), and {@code local} to
 * the local ones alone, so a {@code 0.0.0.0/8} deny loses to the {@code 0.0.0.0/32} that {@code
 * private} brings along, and nothing short of a {@code /128} deny stops a {@code ::1/128} allow.
 *
 * <h2>What this class does about it</h2>
 *
 * <ul>
 *   <li>{@code private} is written out as kj's private ranges without the local ones.
 *   <li>{@code local}, and an allowed CIDR that lies wholly inside loopback, {@code 0.0.0.0/8},
 *       {@code ::1} or {@code ::} (in either form), are refused at deploy with 400: they could only
 *       ever be denied.
 *   <li>Every such range and every address of this machine is denied twice, as IPv4 and as its
 *       IPv4-mapped IPv6 form (IPv6 ranges once). Two CIDRs that overlap are nested, so an allowed
 *       CIDR that overlaps a denied one either contains it (then the deny is at least as specific
 *       and wins) or lies inside it (refused above, or, inside a single host address, equal to it:
 *       a tie, which deny wins). Writing the mapped form matters because kj compares an IPv4
 *       prefix length with an IPv6 one as plain numbers: {@code ::ffff:0:0/96} (96) would beat a
 *       {@code 127.0.0.0/8} deny (8) but not {@code ::ffff:127.0.0.0/104}.
 * </ul>
 *
 * With {@code allowHostAddresses(true)} the guard is off and workerd gets the policy as asked.
 */
public final class NetworkGuard {

  /** kj's {@code privateCidrs()}: what {@code private} means to workerd, minus the local ranges. */
  static final List<String> PRIVATE_RANGES = List.of(
      "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10");

  /** Ranges that reach this machine on any host: loopback and the unspecified addresses. */
  static final List<Cidr> LOCAL_RANGES = List.of(
      Cidr.parse("127.0.0.0/8"), Cidr.parse("0.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("::/128"));

  private final boolean enabled;
  private final List<String> denied;

  private NetworkGuard(boolean enabled, List<InetAddress> hostAddresses) {
    this.enabled = enabled;
    Set<String> deny = new LinkedHashSet<>();
    List<Cidr> ranges = new ArrayList<>(LOCAL_RANGES);
    hostAddresses.forEach(address -> ranges.add(Cidr.of(address)));
    for (Cidr range : ranges) {
      deny.add(range.text());
      deny.add(range.mappedText());
    }
    this.denied = List.copyOf(deny);
  }

  /** A guard that keeps functions away from loopback and from {@code hostAddresses}. */
  public static NetworkGuard denying(List<InetAddress> hostAddresses) {
    return new NetworkGuard(true, hostAddresses);
  }

  /** No guard: workerd gets every policy as asked ({@code allowHostAddresses(true)}). */
  public static NetworkGuard off() {
    return new NetworkGuard(false, List.of());
  }

  /** What is added to every policy's deny list; empty when the guard is off. */
  public List<String> denied() {
    return enabled ? denied : List.of();
  }

  /**
   * The policy workerd gets for {@code asked}.
   *
   * @throws FaasException INVALID_REQUEST for {@code local}, for an allowed CIDR that lies inside
   *     loopback or the unspecified addresses, and for a CIDR workerd could not read
   */
  public NetworkPolicy apply(NetworkPolicy asked) {
    if (!enabled) {
      return asked;
    }
    List<String> allow = new ArrayList<>();
    for (String entry : asked.allow()) {
      switch (entry) {
        case "local" -> throw FaasException.invalid("network entry 'local' (loopback) is refused: functions may not"
            + " reach the machine they run on (the provider must be built with allowHostAddresses(true) for that);"
            + " allow the CIDR of the service you need instead");
        case "private" -> allow.addAll(PRIVATE_RANGES);
        case "public", "network", "unix", "unix-abstract" -> allow.add(entry);
        default -> {
          Cidr cidr = Cidr.parse(entry);
          for (Cidr local : LOCAL_RANGES) {
            if (cidr.within(local)) {
              throw FaasException.invalid("network entry '" + entry + "' is refused: it lies inside " + local.text()
                  + ", which reaches the machine functions run on (loopback or the unspecified address)");
            }
          }
          allow.add(entry);
        }
      }
    }
    Set<String> deny = new LinkedHashSet<>();
    for (String entry : asked.deny()) {
      if (entry.indexOf('/') >= 0) {
        Cidr.parse(entry); // a bad one is 400 here rather than a workerd that does not start
      }
      deny.add(entry);
    }
    deny.addAll(denied);
    return new NetworkPolicy(allow, List.copyOf(deny));
  }
}
