package dev.faas4j.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final Router router = new Router("func.local", "/fn");

  @Test
  void aBareFunctionHostRoutesToTheLatestVersion() {
    assertThat(router.route("hello.func.local", "/a/b", "x=1")).isEqualTo(new Route("hello", null, "/a/b?x=1"));
  }

  @Test
  void aVersionOrAliasHostRoutesToThatSelector() {
    assertThat(router.route("v1.hello.func.local", "/", null)).isEqualTo(new Route("hello", "v1", "/"));
  }

  @Test
  void portsTrailingDotsAndCaseAreIgnoredInTheDomain() {
    assertThat(router.route("V1.Hello.FUNC.LOCAL.:8081", "/", "")).isEqualTo(new Route("Hello", "V1", "/"));
  }

  @Test
  void hostsOutsideTheDomainAreNotFunctionTraffic() {
    assertThat(router.route("example.com", "/x", null)).isNull();
    assertThat(router.route("func.local", "/x", null)).isNull();
    assertThat(router.route("hellofunc.local", "/x", null)).isNull();
    assertThat(router.route("[::1]:8080", "/x", null)).isNull();
    assertThat(router.route(null, "/x", null)).isNull();
  }

  @Test
  void hostsUnderTheDomainThatNameNoFunctionAre404() {
    for (String host : new String[] {"a.b.c.func.local", "under_score.func.local", "-x.func.local"}) {
      assertThatThrownBy(() -> router.route(host, "/", null)).as(host)
          .isInstanceOfSatisfying(FaasException.class, e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.NOT_FOUND));
    }
  }

  @Test
  void pathsUnderTheMountRouteByNameAndSelector() {
    assertThat(router.route("localhost", "/fn/hello", null)).isEqualTo(new Route("hello", null, "/"));
    assertThat(router.route("localhost", "/fn/hello/x/y", "q=1")).isEqualTo(new Route("hello", null, "/x/y?q=1"));
    assertThat(router.route("localhost", "/fn/hello@test/x", null)).isEqualTo(new Route("hello", "test", "/x"));
    assertThat(router.route("localhost", "/fnord", null)).isNull();
    assertThat(router.route("localhost", "/other/fn/hello", null)).isNull();
  }

  @Test
  void withoutAMountPathOnlyHostsRoute() {
    Router hostOnly = new Router("func.local", null);
    assertThat(hostOnly.route("localhost", "/fn/hello", null)).isNull();
  }

  @Test
  void badDomainsAndMountPathsAreRefusedAtConstruction() {
    assertThatThrownBy(() -> new Router(".func.local", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Router("func.local", "fn")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Router("func.local", "/fn/")).isInstanceOf(IllegalArgumentException.class);
  }
}
