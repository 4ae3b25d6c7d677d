package dev.faas4j.core.internal.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which scheme, host and port the URLs of a version get, in which order of precedence. */
class AddressesTest {

  @Test
  void aRequestFillsWhatWasNotConfigured() {
    Deployed d = Addresses.of("func.local", "/fn", null, 0).seenFrom("http", "localhost", 8080, "")
        .deployed("hello", "v1", null);

    assertThat(d.accessUrl()).isEqualTo("http://v1.hello.func.local:8080");
    assertThat(d.pathUrl()).isEqualTo("http://localhost:8080/fn/hello@v1/");
    assertThat(d.alias()).isEmpty();
  }

  @Test
  void theDefaultPortOfTheSchemeIsLeftOut() {
    Addresses https = Addresses.of("func.local", "/fn", null, 0).seenFrom("HTTPS", "app.example.com", 443, "/ctx");

    assertThat(https.url("v1.hello.func.local")).isEqualTo("https://v1.hello.func.local");
    assertThat(https.pathUrl("hello", "v1")).isEqualTo("https://app.example.com/ctx/fn/hello@v1/");
  }

  @Test
  void anIpv6RequestHostIsBracketedInThePathForm() {
    Addresses seen = Addresses.of("func.local", "/fn", null, 0).seenFrom("http", "::1", 8080, "");

    assertThat(seen.pathUrl("hello", "v1")).isEqualTo("http://[::1]:8080/fn/hello@v1/");
  }

  @Test
  void aConfiguredPortKeepsItsPortButTakesTheRequestsHostForThePathForm() {
    Addresses seen = Addresses.of("func.local", "/fn", null, 8081).seenFrom("https", "gw.example.com", 9999, "");

    assertThat(seen.url("v1.hello.func.local")).isEqualTo("http://v1.hello.func.local:8081");
    assertThat(seen.pathUrl("hello", "v1")).isEqualTo("http://gw.example.com:8081/fn/hello@v1/");
  }

  @Test
  void aConfiguredBaseUrlIsNotReplacedByTheRequest() {
    Addresses base = Addresses.of("func.local", "/fn", URI.create("https://app.example.com"), 0);

    assertThat(base.seenFrom("http", "localhost", 8080, "/other")).isSameAs(base);
    assertThat(base.pathUrl("hello", "v1")).isEqualTo("https://app.example.com/fn/hello@v1/");
  }

  @Test
  void withoutAMountPathThereIsNoPathForm() {
    assertThat(Addresses.of("func.local", null, null, 0).seenFrom("http", "localhost", 8080, "").pathUrl("a", "v1"))
        .isNull();
  }

  @Test
  void aBaseUrlThatIsNotAnHttpUrlIsRefused() {
    for (String bad : new String[] {"ftp://x.example.com", "/relative", "http://x.example.com/?q=1"}) {
      assertThatThrownBy(() -> Addresses.of("func.local", null, URI.create(bad), 0)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publicBaseUrl");
    }
  }
}
