package dev.faas4j.workerd.internal;

import dev.faas4j.api.FaasException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A CIDR entry of a network policy, read the way workerd (kj's {@code CidrRange}) reads it: text
 * with a colon is IPv6, anything else IPv4. An IPv4 range also matches the IPv4-mapped IPv6
 * addresses ({@code ::ffff:a.b.c.d}) of its addresses, so for containment both families are
 * compared in one 128-bit space where {@code a.b.c.d/n} is {@code ::ffff:a.b.c.d/(96+n)}.
 * Immutable and thread-safe.
 */
final class Cidr {

  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

  /** The entry as written: what workerd gets. */
  private final String text;
  /** Whether workerd treats it as an IPv4 range. */
  private final boolean ipv4;
  /** The first address in the 128-bit space (16 bytes, the bits beyond the prefix zeroed). */
  private final byte[] bits;
  /** The prefix length in the 128-bit space. */
  private final int prefix;

  private Cidr(String text, boolean ipv4, byte[] bits, int prefix) {
    this.text = text;
    this.ipv4 = ipv4;
    this.bits = bits;
    this.prefix = prefix;
  }

  /** The entry as written: what workerd gets. */
  String text() {
    return text;
  }

  /**
   * Parses {@code text}, already checked to hold only hex digits, colons, dots and one slash.
   * Never touches DNS.
   *
   * @throws FaasException INVALID_REQUEST when workerd would not take it as a CIDR
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw invalid(text, "it has no prefix length");
    }
    String address = text.substring(0, slash);
    int length;
    try {
      length = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw invalid(text, "the prefix length is not a number");
    }
    boolean ipv4 = address.indexOf(':') < 0;
    if (length > (ipv4 ? 32 : 128)) {
      throw invalid(text, "the prefix length is over " + (ipv4 ? 32 : 128));
    }
    byte[] bits = ipv4 ? mapped(ipv4Bytes(text, address)) : ipv6Bytes(text, address);
    int prefix = ipv4 ? 96 + length : length;
    return new Cidr(text, ipv4, mask(bits, prefix), prefix);
  }

  /** The one-address range of {@code address} in the form workerd would be given it, v4 or v6. */
  static Cidr of(InetAddress address) {
    byte[] raw = address.getAddress();
    boolean ipv4 = address instanceof Inet4Address;
    String text = stripScope(address.getHostAddress()) + (ipv4 ? "/32" : "/128");
    return new Cidr(text, ipv4, ipv4 ? mapped(raw) : raw, 128);
  }

  /** Whether every address this range matches is also matched by {@code outer}. */
  boolean within(Cidr outer) {
    if (prefix < outer.prefix) {
      return false;
    }
    return Arrays.equals(mask(bits, outer.prefix), outer.bits);
  }

  /**
   * The IPv6 form of an IPv4 range ({@code ::ffff:a.b.c.d/(96+n)}): kj compares an IPv4 range's
   * specificity (n) with an IPv6 range's (up to 128) as plain numbers, so a deny meant for
   * mapped addresses must be written in IPv6 to be as specific as an IPv6 allow entry.
   */
  String mappedText() {
    if (!ipv4) {
      return text;
    }
    return "::ffff:" + text.substring(0, text.indexOf('/')) + "/" + prefix;
  }

  private static byte[] ipv4Bytes(String text, String address) {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      throw invalid(text, "an IPv4 address has four dotted numbers");
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      boolean leadingZero = parts[i].length() > 1 && parts[i].charAt(0) == '0'; // inet_pton refuses it too
      if (parts[i].isEmpty() || parts[i].length() > 3 || leadingZero || !parts[i].chars().allMatch(Character::isDigit)) {
        throw invalid(text, "'" + parts[i] + "' is not a number from 0 to 255");
      }
      int value = Integer.parseInt(parts[i]);
      if (value > 255) {
        throw invalid(text, value + " is over 255");
      }
      out[i] = (byte) value;
    }
    return out;
  }

  private static byte[] ipv6Bytes(String text, String address) {
    if (address.isEmpty() || Character.digit(address.charAt(0), 16) < 0 && address.charAt(0) != ':') {
      throw invalid(text, "it is not an IPv6 address"); // Java would take it for a host name to look up
    }
    try {
      // A literal with a colon is parsed as IPv6 without a lookup; an invalid one throws.
      InetAddress parsed = InetAddress.getByName(address);
      byte[] raw = parsed.getAddress();
      // Java hands back an IPv4-mapped literal (::ffff:a.b.c.d) as an Inet4Address.
      return raw.length == 4 ? mapped(raw) : raw;
    } catch (UnknownHostException e) {
      throw invalid(text, "it is not an IPv6 address");
    }
  }

  private static byte[] mapped(byte[] ipv4) {
    byte[] out = Arrays.copyOf(MAPPED_PREFIX, 16);
    System.arraycopy(ipv4, 0, out, 12, 4);
    return out;
  }

  private static byte[] mask(byte[] bits, int prefix) {
    byte[] out = bits.clone();
    for (int i = 0; i < 16; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      out[i] &= (byte) (0xff00 >> keep);
    }
    return out;
  }

  private static String stripScope(String text) {
    int scope = text.indexOf('%');
    return scope < 0 ? text : text.substring(0, scope);
  }

  private static FaasException invalid(String text, String why) {
    return FaasException.invalid("network entry '" + text + "' is not a valid CIDR: " + why
        + "; write e.g. 10.1.0.0/16 or fd00::/8");
  }
}
