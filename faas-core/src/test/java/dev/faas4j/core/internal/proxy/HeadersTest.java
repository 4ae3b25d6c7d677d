package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeadersTest {

  @Test
  void connectionTokensAreMatchedCaseInsensitivelyIgnoringSpaces() {
    assertThat(Headers.mustDrop("x-custom", "keep-alive ,  X-Custom\t, other"))
        .as("a header named in Connection")
        .isTrue();
  }

  @Test
  void aTokenThatIsOnlyAPrefixDoesNotMatch() {
    assertThat(Headers.mustDrop("X-Cust", "X-Custom")).as("prefix of a token").isFalse();
  }

  @Test
  void hopByHopHeadersAreDroppedWithoutAConnectionHeader() {
    assertThat(Headers.mustDrop("transfer-encoding", null)).as("Transfer-Encoding").isTrue();
    assertThat(Headers.mustDrop("Content-Type", null)).as("Content-Type is end-to-end").isFalse();
  }
}
