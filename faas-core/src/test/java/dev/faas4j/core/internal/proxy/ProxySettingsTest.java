package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {

  @Test
  void defaultsAreTheDocumentedValues() {
    ProxySettings defaults = ProxySettings.defaults();

    assertThat(defaults.connectTimeout()).as("connect timeout").isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.responseTimeout()).as("response timeout").isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.maxRequestBodyBytes()).as("body limit").isEqualTo(10L * 1024 * 1024);
    assertThat(defaults.maxConnections()).as("connections").isEqualTo(1024);
    assertThat(defaults.connectionsPerInstance()).as("connections per instance: a quarter").isEqualTo(256);
    assertThat(defaults.clientStallTimeout()).as("client stall period").isEqualTo(Duration.ofSeconds(30));
    assertThat(defaults.minClientBytesPerSecond()).as("client minimum rate").isEqualTo(1024);
  }

  @Test
  void nonPositiveTimeoutIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> ProxySettings.defaults().withResponseTimeout(Duration.ZERO))
        .as("zero response timeout")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("responseTimeout");
  }

  @Test
  void missingTimeoutIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> ProxySettings.defaults().withConnectTimeout(null))
        .as("null connect timeout")
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("connectTimeout");
  }

  @Test
  void negativeBodyLimitIsRefused() {
    assertThatThrownBy(() -> ProxySettings.defaults().withMaxRequestBodyBytes(-1))
        .as("negative body limit")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRequestBodyBytes");
  }

  @Test
  void fewerThanOneConnectionIsRefused() {
    assertThatThrownBy(() -> ProxySettings.defaults().withMaxConnections(0))
        .as("zero connections")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections");
  }
}
