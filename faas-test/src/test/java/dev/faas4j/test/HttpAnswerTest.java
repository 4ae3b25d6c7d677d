package dev.faas4j.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FunctionResponse;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The answer reader of {@link FunctionClient}: each framing, interim answers, and what it refuses. */
class HttpAnswerTest {

  private static FunctionResponse read(String wire, boolean head) throws IOException {
    return HttpAnswer.read(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)), head, 1024);
  }

  @Test
  void aChunkedBodyIsJoinedAndItsTrailersDropped() throws IOException {
    FunctionResponse answer = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
        + "4;ext=1\r\none \r\n3\r\ntwo\r\n0\r\nTrailer: t\r\n\r\n", false);

    assertThat(answer.bodyAsString()).isEqualTo("one two");
    assertThat(answer.headers().get("X-A")).as("repeated fields, any case, in one list").containsExactly("1", "2");
  }

  @Test
  void contentLengthEndsTheBodyAndTheEndOfTheConnectionOtherwise() throws IOException {
    assertThat(read("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nabcdef", false).bodyAsString()).isEqualTo("abc");
    assertThat(read("HTTP/1.1 200 OK\r\n\r\nto the end", false).bodyAsString()).isEqualTo("to the end");
  }

  @Test
  void interimAnswersAreSkippedAndHeadAnswersHaveNoBody() throws IOException {
    FunctionResponse answer = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno", false);
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.bodyAsString()).isEqualTo("no");
    assertThat(read("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", true).body()).isEmpty();
  }

  @Test
  void aTruncatedOrMalformedAnswerIsAnError() {
    assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", false))
        .isInstanceOf(EOFException.class).hasMessageContaining("5 of 10");
    assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", false))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> read("SSH-2.0-OpenSSH\r\n\r\n", false)).hasMessageContaining("status line");
    assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", false)).hasMessageContaining("header");
    assertThatThrownBy(() -> read("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n", false))
        .hasMessageContaining("over the limit");
  }
}
