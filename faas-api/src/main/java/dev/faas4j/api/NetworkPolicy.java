package dev.faas4j.api;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which addresses a function may reach over the network.
 *
 * <p>Entries are the keywords {@code public}, {@code private}, {@code local} (loopback),
 * {@code network} (public and private), {@code unix}, or a CIDR such as {@code 10.1.0.0/16}
 * or {@code ::1/128}. Anything else is refused here, so an entry can never smuggle text into a
 * provider's configuration. A function without a policy gets its provider's default, which for
 * workerd is public addresses only. A provider may refuse more: the workerd provider refuses
 * {@code local} and CIDRs inside loopback, and denies the machine's own addresses whatever the
 * policy allows, unless it was built to allow them.
 *
 * @param allow what may be reached
 * @param deny what may not be reached even if {@code allow} matches it
 */
public record NetworkPolicy(List<String> allow, List<String> deny) {

  private static final Pattern ENTRY = Pattern.compile(
      "public|private|local|network|unix|unix-abstract|[0-9a-fA-F:.]{2,39}/[0-9]{1,3}");

  /** Public internet only; loopback and private ranges refused. */
  public static final NetworkPolicy PUBLIC_ONLY = new NetworkPolicy(List.of("public"), List.of());

  public NetworkPolicy {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    for (String entry : allow) {
      check(entry);
    }
    for (String entry : deny) {
      check(entry);
    }
  }

  private static void check(String entry) {
    if (!ENTRY.matcher(entry).matches()) {
      throw FaasException.invalid("network entry '" + Validation.abbreviate(entry) + "' is not valid:"
          + " use public, private, local, network, unix or a CIDR such as 10.0.0.0/8");
    }
  }
}
