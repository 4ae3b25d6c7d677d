package dev.faas4j.examples.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.core.testing.InMemoryStore;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How to test application code that uses faas4j: the in-memory provider runs functions written as
 * Java lambdas, the in-memory store keeps state in a map, and the application's own HTTP server
 * (here a bare Jetty with {@link FaasFilter}) serves function traffic. No process, no database;
 * the whole class runs in well under a second.
 */
class DiscountsTest {

  /** Rules as lambdas, registered under the names the application deploys as "code". */
  private final InMemoryProvider functions = new InMemoryProvider()
      .handler("ten-percent-off", request -> price(request, cents -> cents * 90 / 100))
      .handler("five-off", request -> price(request, cents -> Math.max(0, cents - 500)))
      .handler("broken", request -> { throw new IllegalStateException("rule crashed"); });

  private Faas faas;
  private Server server;
  private Discounts discounts;

  private static FunctionResponse price(FunctionRequest request, java.util.function.LongUnaryOperator rule) {
    long cents = Long.parseLong(request.query().replace("cents=", ""));
    return FunctionResponse.ok(Long.toString(rule.applyAsLong(cents)));
  }

  @BeforeEach
  void start() throws Exception {
    faas = Faas.builder().provider(functions).store(new InMemoryStore()).build();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    FilterHolder functions = new FilterHolder(new FaasFilter(faas));
    functions.setAsyncSupported(true); // answers are written without holding a thread
    context.addFilter(functions, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    discounts = new Discounts(faas, InMemoryProvider.RUNTIME, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    faas.close();
  }

  @Test
  void aPublishedRulePricesCheckouts() throws Exception {
    discounts.publish("acme", "ten-percent-off");

    assertThat(discounts.price("acme", 10_000)).isEqualTo(9_000);
  }

  @Test
  void aNewRuleReplacesTheOldOneAtOnce() throws Exception {
    discounts.publish("acme", "ten-percent-off");

    discounts.publish("acme", "five-off");

    assertThat(discounts.price("acme", 10_000)).isEqualTo(9_500);
  }

  @Test
  void revertGoesBackToThePreviousRule() throws Exception {
    discounts.publish("acme", "ten-percent-off");
    discounts.publish("acme", "five-off");

    discounts.revert("acme");

    assertThat(discounts.price("acme", 10_000)).isEqualTo(9_000);
  }

  @Test
  void tenantsHaveTheirOwnRules() throws Exception {
    discounts.publish("acme", "ten-percent-off");
    discounts.publish("globex", "five-off");

    assertThat(discounts.price("acme", 2_000)).isEqualTo(1_800);
    assertThat(discounts.price("globex", 2_000)).isEqualTo(1_500);
  }

  @Test
  void aCrashingRuleIsAnErrorAtCheckoutNotAWrongPrice() {
    discounts.publish("acme", "broken");

    assertThatThrownBy(() -> discounts.price("acme", 1_000)).hasMessageContaining("502");
  }

  @Test
  void aTenantWithoutARuleIsAnError() {
    assertThatThrownBy(() -> discounts.price("nobody", 1_000)).hasMessageContaining("404");
  }
}
