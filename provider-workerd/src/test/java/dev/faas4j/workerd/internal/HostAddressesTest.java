package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.NetworkPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostAddressesTest {

  @Test
  void theGuardDeniesThisMachinesAddressesAndKeepsWhatWasAsked() {
    NetworkPolicy asked = new NetworkPolicy(List.of("public", "private"), List.of("10.1.0.0/16"));

    NetworkPolicy given = HostAddresses.guard(asked, HostAddresses.cidrs());

    assertThat(given.allow()).as("allow list").containsExactly("public", "private");
    assertThat(given.deny()).as("deny list").contains("10.1.0.0/16", "0.0.0.0/8", "::/128")
        .containsAll(HostAddresses.cidrs());
  }

  @Test
  void loopbackIsLeftToThePolicy() {
    assertThat(HostAddresses.cidrs()).doesNotContain("127.0.0.1/32", "::1/128");
  }

  @Test
  void anEmptyDenyListLeavesThePolicyAsItWas() {
    assertThat(HostAddresses.guard(NetworkPolicy.PUBLIC_ONLY, List.of())).isSameAs(NetworkPolicy.PUBLIC_ONLY);
  }
}
