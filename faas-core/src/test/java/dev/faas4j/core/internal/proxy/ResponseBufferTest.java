package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bodies of known length around the proxy's buffer sizes (empty, short, at and around the 64 KiB
 * upstream window) arrive whole, with their declared length, in async and blocking mode.
 */
@ExtendWith(NoLeakedThreads.class)
class ResponseBufferTest {

  @RegisterExtension final JettyClient client = new JettyClient();

  @ParameterizedTest(name = "{0} bytes, async {1}")
  @CsvSource({"0, true", "1, true", "13, true", "16383, true", "65535, true", "65536, true", "65537, true",
      "300000, true", "0, false", "13, false", "65537, false", "300000, false"})
  void aBodyOfKnownLengthArrivesWholeWhateverItsSize(int length, boolean async) throws Exception {
    byte[] body = new byte[length];
    for (int i = 0; i < length; i++) {
      body[i] = (byte) ('a' + i % 26);
    }
    try (JettyUpstream upstream =
            new JettyUpstream(
                (request, response) -> {
                  response.setContentLength(length);
                  response.getOutputStream().write(body);
                });
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), async)) {

      ContentResponse response = client.newRequest(proxy.uri("/")).timeout(60, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).as("status").isEqualTo(200);
      assertThat(response.getContent()).as("the body of " + length + " bytes, byte for byte").isEqualTo(body);
      assertThat(response.getHeaders().getLongField("Content-Length"))
          .as("the declared length reaches the client").isEqualTo(length);
    }
  }
}
