package dev.faas4j.core.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.core.internal.http.NoLeakedThreads;
import dev.faas4j.core.internal.proxy.ProxyServer.Binding;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bodies of known length around the proxy's buffer sizes (empty, short, at and around the 64 KiB
 * upstream window) arrive whole, with their declared length, through every {@link Binding}.
 */
@ExtendWith(NoLeakedThreads.class)
class ResponseBufferTest {

  @RegisterExtension final JettyClient client = new JettyClient();

  private static final int[] LENGTHS = {0, 1, 13, 16383, 65535, 65536, 65537, 300000};

  static Stream<Arguments> lengthsAndBindings() {
    return Arrays.stream(Binding.values())
        .flatMap(binding -> Arrays.stream(LENGTHS).mapToObj(length -> Arguments.of(length, binding)));
  }

  @ParameterizedTest(name = "{0} bytes, {1}")
  @MethodSource("lengthsAndBindings")
  void aBodyOfKnownLengthArrivesWholeWhateverItsSize(int length, Binding binding) throws Exception {
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
        ProxyServer proxy = new ProxyServer(ProxySettings.defaults(), upstream.endpoint(), binding)) {

      ContentResponse response = client.newRequest(proxy.uri("/")).timeout(60, TimeUnit.SECONDS).send();

      assertThat(response.getStatus()).as("status").isEqualTo(200);
      assertThat(response.getContent()).as("the body of " + length + " bytes, byte for byte").isEqualTo(body);
      assertThat(response.getHeaders().getLongField("Content-Length"))
          .as("the declared length reaches the client").isEqualTo(length);
    }
  }
}
