package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The response buffer is sized to a short body instead of always 16 KiB: bodies around that size
 * and empty ones must still arrive whole, with their declared length.
 */
@ExtendWith(NoLeakedThreads.class)
class ResponseBufferTest {

  private HttpClient client;

  @BeforeEach
  void startClient() throws Exception {
    client = new HttpClient();
    client.start();
  }

  @AfterEach
  void stopClient() throws Exception {
    client.stop();
  }

  @Test
  void aShortBodyGetsABufferOfItsOwnSizeAndALongOrUnknownOneTheFullBuffer() {
    assertThat(ReverseProxy.bufferSize(13)).as("13-byte body").isEqualTo(13);
    assertThat(ReverseProxy.bufferSize(0)).as("empty body still reads into one byte").isEqualTo(1);
    assertThat(ReverseProxy.bufferSize(1 << 20)).as("1 MiB body").isEqualTo(16 * 1024);
    assertThat(ReverseProxy.bufferSize(-1)).as("unknown length").isEqualTo(16 * 1024);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 13, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 100_000})
  void aBodyOfKnownLengthArrivesWholeWhateverItsSize(int length) throws Exception {
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
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint())) {

      ContentResponse response = client.newRequest(proxy.uri("/")).timeout(60, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).as("status").isEqualTo(200);
      assertThat(response.getContent()).as("the body of " + length + " bytes, byte for byte").isEqualTo(body);
      assertThat(response.getHeaders().getLongField("Content-Length"))
          .as("the declared length reaches the client").isEqualTo(length);
    }
  }
}
