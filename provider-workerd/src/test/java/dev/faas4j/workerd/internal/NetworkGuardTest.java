package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.NetworkPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkGuardTest {

  private static final List<String> LOCAL_DENIES = List.of("127.0.0.0/8", "::ffff:127.0.0.0/104", "0.0.0.0/8",
      "::ffff:0.0.0.0/104", "::1/128", "::/128");

  private final NetworkGuard guard = NetworkGuard.denying(List.of(address("192.0.2.2"), address("fd00::2")));

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static NetworkPolicy allow(String... entries) {
    return new NetworkPolicy(List.of(entries), List.of());
  }

  @Test
  void privateIsWrittenOutWithoutTheLocalRangesWorkerdAddsToIt() {
    NetworkPolicy given = guard.apply(allow("public", "private"));

    assertThat(given.allow()).as("allow list workerd gets").startsWith("public")
        .containsAll(NetworkGuard.PRIVATE_RANGES).doesNotContain("private", "local");
  }

  @Test
  void loopbackTheUnspecifiedAddressesAndTheirMappedFormsAreDeniedToEveryPolicy() {
    NetworkPolicy given = guard.apply(new NetworkPolicy(List.of("network"), List.of("10.1.0.0/16")));

    assertThat(given.deny()).as("deny list workerd gets").startsWith("10.1.0.0/16").containsAll(LOCAL_DENIES);
  }

  @Test
  void thisMachinesAddressesAreDeniedAsIpv4AndAsIpv4MappedIpv6() {
    NetworkPolicy given = guard.apply(NetworkPolicy.PUBLIC_ONLY);

    assertThat(given.deny()).as("deny list workerd gets")
        .contains("192.0.2.2/32", "::ffff:192.0.2.2/128", "fd00:0:0:0:0:0:0:2/128");
  }

  @Test
  void localIsRefusedWithAMessageThatSaysWhy() {
    assertThatThrownBy(() -> guard.apply(allow("public", "local")))
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.INVALID_REQUEST))
        .hasMessageContaining("'local'").hasMessageContaining("allowHostAddresses(true)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.0/8", "127.0.0.1/32", "127.1.0.0/16", "0.0.0.0/8", "0.0.0.0/32", "::1/128",
      "::/128", "::ffff:127.0.0.1/128", "::ffff:127.0.0.0/104", "::ffff:0.0.0.0/104", "::ffff:0:0/120"})
  void aCidrInsideLoopbackOrTheUnspecifiedAddressesIsRefused(String cidr) {
    assertThatThrownBy(() -> guard.apply(allow(cidr)))
        .as(cidr).isInstanceOf(FaasException.class).hasMessageContaining("'" + cidr + "' is refused");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0", "::/0", "::ffff:0:0/96", "126.0.0.0/7", "192.0.2.2/32", "::ffff:192.0.2.2/128"})
  void aWiderCidrIsAcceptedAndTheDeniesStayAtLeastAsSpecific(String cidr) {
    NetworkPolicy given = guard.apply(allow(cidr));

    assertThat(given.allow()).as("allow list").containsExactly(cidr);
    assertThat(given.deny()).as("deny list").containsAll(LOCAL_DENIES).contains("192.0.2.2/32", "::ffff:192.0.2.2/128");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3/8", "1.2.3.4/33", "256.0.0.0/8", "abcd/8", "::1/129", "1:2/64", ".:/8", "1.2.3.0444/8"})
  void aCidrWorkerdCouldNotReadIsRefusedBeforeItReachesWorkerd(String cidr) {
    assertThatThrownBy(() -> guard.apply(allow(cidr))).as(cidr)
        .isInstanceOf(FaasException.class).hasMessageContaining("is not a valid CIDR");
    assertThatThrownBy(() -> guard.apply(new NetworkPolicy(List.of("public"), List.of(cidr)))).as("deny " + cidr)
        .isInstanceOf(FaasException.class).hasMessageContaining("is not a valid CIDR");
  }

  @Test
  void offHandsThePolicyOnAsAsked() {
    NetworkPolicy asked = allow("local", "private");

    assertThat(NetworkGuard.off().apply(asked)).isSameAs(asked);
    assertThat(NetworkGuard.off().denied()).isEmpty();
  }

  @Test
  void theHostListHasNoLoopbackAddress() {
    assertThat(HostAddresses.list()).as("this machine's addresses").noneMatch(InetAddress::isLoopbackAddress);
  }
}
