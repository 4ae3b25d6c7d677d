package dev.faas4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Text that cannot be encoded as UTF-8 is refused as bad input (400), wherever a spec carries it. */
class ValidationTest {

  private static final String CODE = "addEventListener('fetch', e => e.respondWith(new Response('x')))";

  @ParameterizedTest
  @ValueSource(strings = {"\udc00", "a\ud800", "\udfffz", "\ud800\ud800"})
  void aLoneSurrogateIsRefusedWhereverASpecCarriesText(String bad) {
    assertRefused(b -> b.code(CODE + " // " + bad), "code");
    assertRefused(b -> b.env("V", bad), "env var 'V'");
    assertRefused(b -> b.labels(Map.of("team", bad)), "label 'team'");
    assertRefused(b -> b.labels(Map.of(bad, "x")), "label name");
    assertRefused(b -> b.option("format", bad), "option 'format'");
  }

  @Test
  void surrogatePairsAreText() {
    FunctionSpec spec = FunctionSpec.builder("hello").version("v1").code(CODE + " // \ud83d\ude00")
        .env("V", "\ud83d\ude00").labels(Map.of("emoji", "\ud83d\ude00")).build();

    assertThat(spec.env()).containsEntry("V", "\ud83d\ude00");
  }

  @Test
  void theMessageSaysWhichCharacterAndWhere() {
    assertThatThrownBy(() -> Validation.requireText("code", "ab\udc00"))
        .isInstanceOf(FaasException.class)
        .hasMessageContaining("\\udc00 at index 2")
        .satisfies(e -> assertThat(((FaasException) e).reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "Z", "7", "hello", "Hello-World-2", "a-b", "a--b", "x123456789012345678901234567890123456789012345678901234567890yz"})
  void dnsLabelsAreAccepted(String label) {
    assertThat(Validation.isLabel(label)).isTrue();
    assertThat(Validation.requireLabel("version", label)).isSameAs(label);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", "-a", "a-", "a_b", "a.b", "a b", "\u00e9t\u00e9", "a/b", "a:b", "\u0131",
      "x1234567890123456789012345678901234567890123456789012345678901yz"})
  void whatIsNotADnsLabelIsRefused(String notALabel) {
    assertThat(Validation.isLabel(notALabel)).isFalse();
    assertThatThrownBy(() -> Validation.requireLabel("version", notALabel))
        .isInstanceOf(FaasException.class)
        .hasMessageStartingWith("version ")
        .satisfies(e -> assertThat(((FaasException) e).reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }

  private static void assertRefused(UnaryOperator<FunctionSpec.Builder> withBadText, String what) {
    assertThatThrownBy(() -> withBadText.apply(FunctionSpec.builder("hello").version("v1").code(CODE)).build())
        .as(what)
        .isInstanceOf(FaasException.class)
        .hasMessageStartingWith(what + " contains a lone UTF-16 surrogate")
        .satisfies(e -> assertThat(((FaasException) e).reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
  }
}
