package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.core.internal.http.Await;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The connection pool keeps connections for reuse, and lets go of those nobody will lease again. */
class ReverseProxyPoolTest {

  @RegisterExtension final JettyClient client = new JettyClient();

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void aPooledConnectionLeavesThePoolAsSoonAsItsInstanceGoesAway(Binding binding) throws Exception {
    try (ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), null, binding)) {
      JettyUpstream upstream = new JettyUpstream((request, response) -> response.getWriter().write("ok"));
      proxy.endpoint(upstream.endpoint());
      assertThat(client.newRequest(proxy.uri("/")).timeout(30, TimeUnit.SECONDS).send().getContentAsString()).isEqualTo("ok");
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0)).isTrue();
      assertThat(proxy.proxy.poolStats().available()).as("kept for reuse").isEqualTo(1);

      upstream.close(); // the instance is suspended: its end of the pooled connection closes

      assertThat(Await.until(() -> proxy.proxy.poolStats().available() == 0))
          .as("the pool watches idle connections and drops one its peer closed")
          .isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Binding.class)
  void closeIdleConnectionsClosesThoseIdleForAtLeastTheGivenTime(Binding binding) throws Exception {
    try (JettyUpstream upstream = new JettyUpstream((request, response) -> response.getWriter().write("ok"));
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {
      assertThat(client.newRequest(proxy.uri("/")).timeout(30, TimeUnit.SECONDS).send().getContentAsString()).isEqualTo("ok");
      assertThat(Await.until(() -> proxy.proxy.poolStats().leased() == 0)).isTrue();

      proxy.proxy.closeIdleConnections(Duration.ofHours(1));
      assertThat(proxy.proxy.poolStats().available()).as("not idle that long yet").isEqualTo(1);
      proxy.proxy.closeIdleConnections(Duration.ZERO);
      assertThat(proxy.proxy.poolStats().available()).as("released").isZero();
      assertThat(client.newRequest(proxy.uri("/")).timeout(30, TimeUnit.SECONDS).send().getContentAsString())
          .as("the next request opens a new connection")
          .isEqualTo("ok");
    }
  }
}
