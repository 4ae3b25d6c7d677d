package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The builder's option groups ({@link ProxyOptions}, {@link AsyncOptions}) keep the builder's
 * rules: an option set twice fails naming it, also across two calls of the group, and a value out
 * of range fails naming the option as the group spells it. (That the values reach the proxy and
 * the async workers is what {@code InvokeTest}, {@code HopLimitTest} and {@code AsyncCallsTest}
 * check.)
 */
class OptionGroupsTest {

  @Test
  void aProxyOptionSetInTwoCallsOfTheGroupFailsNamingIt() {
    FaasBuilder builder = Faas.builder().proxy(proxy -> proxy.requestTimeout(Duration.ofSeconds(1)));

    assertThatThrownBy(() -> builder.proxy(proxy -> proxy.requestTimeout(Duration.ofSeconds(2))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("proxy.requestTimeout was already set");
  }

  @Test
  void anAsyncOptionSetTwiceFailsNamingIt() {
    assertThatThrownBy(() -> Faas.builder().async(async -> async.workers(2).workers(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("async.workers was already set");
  }

  @Test
  void valuesOutOfRangeFailNamingTheOptionOfTheirGroup() {
    assertThatThrownBy(() -> Faas.builder().async(async -> async.workers(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("async.workers");
    assertThatThrownBy(() -> Faas.builder().async(async -> async.queueDepth(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("async.queueDepth");
    assertThatThrownBy(() -> Faas.builder().proxy(proxy -> proxy.maxConnections(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
    assertThatThrownBy(() -> Faas.builder().proxy(proxy -> proxy.connectTimeout(Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> Faas.builder().async(async -> async.callbackAllow("not-a-cidr")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not-a-cidr");
  }
}
