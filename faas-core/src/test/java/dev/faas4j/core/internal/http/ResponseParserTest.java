package dev.faas4j.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The response parser against whole responses fed in every split (one byte at a time, a few
 * bytes, everything at once) and from every kind of buffer (heap, heap slice, direct).
 */
class ResponseParserTest {

  private static final int MAX_HEAD = 256;

  private static final Consumer<UpstreamException> A_PROTOCOL_ERROR =
      e -> assertThat(e.kind()).as("kind of " + e).isEqualTo(UpstreamException.Kind.PROTOCOL_ERROR);

  // ---- framing

  @EveryFeed
  void aContentLengthBodyArrivesWholeAndEndsTheResponse(Feed feed) throws IOException {
    feed.expect("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
        "200 length=11 body=hello world end");
  }

  @EveryFeed
  void fieldsAreKeptInOrderTrimmedAndDecodedAsLatin1(Feed feed) throws IOException {
    Run run = feed.run("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nX-A: \t one two \t\r\n"
        + "x-empty:\r\nX-Latin: caf\u00e9\r\nX-A: again\r\nContent-Length: 0\r\n\r\n");

    assertThat(run.listener.head.fields()).as(feed.toString()).containsExactly(
        new ResponseHead.Field("Connection", "keep-alive"),
        new ResponseHead.Field("X-A", "one two"),
        new ResponseHead.Field("x-empty", ""),
        new ResponseHead.Field("X-Latin", "caf\u00e9"),
        new ResponseHead.Field("X-A", "again"),
        new ResponseHead.Field("Content-Length", "0"));
    assertThat(run.describe()).as("an empty body ends at the head").isEqualTo("200 length=0 body= end");
  }

  @EveryFeed
  void aChunkedBodyDropsItsFramingExtensionsAndTrailers(Feed feed) throws IOException {
    feed.expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n"
        + "1;name=value\r\n \r\n"
        + "00000000000000B ;ext\r\nabcdefghijk\r\n"
        + "0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n",
        "200 length=-1 body=hello abcdefghijk end");
  }

  @EveryFeed
  void bareLineFeedsEndLinesEverywhere(Feed feed) throws IOException {
    feed.expect("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\nX-T: 1\n\n",
        "200 length=-1 body=abc end");
  }

  @EveryFeed
  void parsingStopsAtTheEndOfAResponseAndTheNextOneFollowsAfterAReset(Feed feed)
      throws IOException {
    String second = "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";
    Run first = feed.run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
        + second);

    assertThat(first.describe()).as(feed.toString()).isEqualTo("200 length=-1 body=ok end");
    assertThat(first.leftover).as("bytes after the first response stay unread").isEqualTo(second);

    first.parser.reset(false);
    Run next = feed.run(first.parser, false, first.leftover);
    assertThat(next.describe()).as("the second response").isEqualTo("404 length=4 body=nope end");
    assertThat(next.leftover).isEmpty();
  }

  @EveryFeed
  void interimHeadsAreSkipped(Feed feed) throws IOException {
    Run run = feed.expect("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        "201 length=2 body=ok end");
    assertThat(run.listener.head.fields()).as("only the final head's fields")
        .containsExactly(new ResponseHead.Field("Content-Length", "2"));
  }

  @EveryFeed
  void theResponseToHeadHasNoBodyButKeepsItsContentLengthField(Feed feed) throws IOException {
    String next = "HTTP/1.1 200 OK\r\n";
    Run run = feed.run(new ResponseParser(MAX_HEAD), true,
        "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nTransfer-Encoding: chunked\r\n\r\n" + next);

    assertThat(run.describe()).as(feed.toString()).isEqualTo("200 length=0 body= end");
    assertThat(run.listener.head.fields()).contains(new ResponseHead.Field("Content-Length", "1234"));
    assertThat(run.leftover).as("what follows the head is not a body").isEqualTo(next);
  }

  @EveryFeed
  void responsesWithoutContentEndAtTheHead(Feed feed) throws IOException {
    // 204 without a reason phrase, with a Content-Length; 304 with an empty reason phrase
    feed.expect("HTTP/1.1 204\r\nContent-Length: 7\r\n\r\n", "204 length=0 body= end");
    feed.expect("HTTP/1.1 304 \r\nTransfer-Encoding: chunked\r\n\r\n", "304 length=0 body= end");
  }

  @EveryFeed
  void aBodyWithoutFramingRunsToTheEndOfTheConnection(Feed feed) throws IOException {
    feed.expectToClose("HTTP/1.1 200 OK\r\n\r\nall of it\r\n0\r\n\r\n",
        "200 length=-1 body=all of it\r\n0\r\n\r\n end");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "chunked | chunked",
      "gzip, CHUNKED | chunked",
      "gzip\\r\\nTransfer-Encoding: chunked | chunked",
      "chunked\\r\\nTransfer-Encoding: gzip | to the end",
      "chunked, gzip | to the end",
      "chunked;x=1 | to the end"})
  void onlyAFinalChunkedCodingMakesABodyChunked(String codings, String framing) throws IOException {
    codings = unescape(codings);
    for (Feed feed : feeds().toList()) {
      String body = framing.equals("chunked") ? "abc" : "3\r\nabc\r\n0\r\n\r\n";
      feed.expectToClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + codings + "\r\n\r\n"
          + "3\r\nabc\r\n0\r\n\r\n", "200 length=-1 body=" + body + " end");
    }
  }

  @EveryFeed
  void transferEncodingOverridesContentLengthAndTheConnectionCloses(Feed feed) throws IOException {
    Run run = feed.expect("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\n0\r\n\r\n",
        "200 length=-1 body=abc end");
    assertThat(run.parser.keepAlive()).as("both framings were sent: do not trust the connection")
        .isFalse();
  }

  @EveryFeed
  void repeatedEqualContentLengthsAreOneLength(Feed feed) throws IOException {
    feed.expect("HTTP/1.1 200 OK\r\nContent-Length: 3 ,3\r\nContent-Length: 003\r\n\r\nabc",
        "200 length=3 body=abc end");
  }

  @Test
  void bodyPiecesAreViewsOfTheCallersBufferNeverCopies() throws IOException {
    ResponseParser parser = new ResponseParser(MAX_HEAD);
    ByteBuffer in = ByteBuffer.wrap(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"));
    List<ByteBuffer> pieces = new ArrayList<>();
    Recorder listener = new Recorder() {
      @Override
      public void onData(ByteBuffer piece) throws IOException {
        pieces.add(piece);
        super.onData(piece);
      }
    };

    assertThat(parser.parse(in, listener)).as("ended").isTrue();
    assertThat(pieces).singleElement()
        .satisfies(p -> assertThat(p.array()).as("the caller's array").isSameAs(in.array()));
  }

  @Test
  void parseAfterTheEndConsumesNothing() throws IOException {
    ResponseParser parser = new ResponseParser(MAX_HEAD);
    parser.parse(ByteBuffer.wrap(bytes("HTTP/1.1 204 No Content\r\n\r\n")), new Recorder());
    ByteBuffer more = ByteBuffer.wrap(bytes("extra"));

    assertThat(parser.parse(more, new Recorder())).as("still ended").isTrue();
    assertThat(more.remaining()).as("nothing consumed").isEqualTo(5);
  }

  // ---- started, cut short

  @Test
  void startedTellsWhetherAnyByteOfTheCurrentResponseArrived() throws IOException {
    ResponseParser parser = new ResponseParser(MAX_HEAD);
    assertThat(parser.started()).as("new parser").isFalse();
    parser.parse(ByteBuffer.allocate(0), new Recorder());
    assertThat(parser.started()).as("after an empty read").isFalse();
    parser.parse(ByteBuffer.wrap(bytes("H")), new Recorder());
    assertThat(parser.started()).as("after one byte").isTrue();
    parser.reset(false);
    assertThat(parser.started()).as("after a reset").isFalse();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "'' | before sending a response",
      "HTTP/1.1 200 OK\\r\\nContent-Le | before its response ended (in the response head)",
      "HTTP/1.1 100 Continue\\r\\n\\r\\n | before its response ended (in the response head)",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nab | before its response ended (3 of 5 body bytes missing)",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nab | before its response ended (in the chunked body)",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nabcde\\r\\n | before its response ended (in the chunked body)",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nX-T: 1\\r\\n | before its response ended (in the trailer section)"})
  void aResponseCutShortIsAnError(String escapedResponse, String message) {
    String response = unescape(escapedResponse);
    for (Feed feed : feeds().toList()) {
      assertThatThrownBy(() -> feed.runToClose(response)).as(feed.toString())
          .isInstanceOfSatisfying(UpstreamException.class, A_PROTOCOL_ERROR)
          .hasMessage("the function closed the connection " + message);
    }
  }

  // ---- rejections

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "HTTP/2.0 200 OK | status line is not HTTP/1.1 or HTTP/1.0: \"HTTP/2.0 200 OK\"",
      "HTTP/1.2 200 OK | status line is not HTTP/1.1 or HTTP/1.0",
      "http/1.1 200 OK | status line is not HTTP/1.1 or HTTP/1.0",
      "'' | status line is not HTTP/1.1 or HTTP/1.0: \"\"",
      "HTTP/1.1 20 OK | status line has no 3-digit status code",
      "HTTP/1.1 2000 OK | status line has no 3-digit status code",
      "HTTP/1.1 2x0 OK | status line has no 3-digit status code",
      "HTTP/1.1  200 OK | status line has no 3-digit status code",
      "HTTP/1.1 099 Low | status code 99 is not in 100-599",
      "HTTP/1.1 600 High | status code 600 is not in 100-599",
      "HTTP/1.1 101 Switching Protocols | switched protocols (101) without being asked to",
      "HTTP/1.1 200 O\\x01K | status line has a control character: \"HTTP/1.1 200 O\\x01K\"",
      "HTTP/1.1 200 OK\\r\\nX-A: 1\\r\\n  more | folded a header field over several lines (obs-fold)",
      "HTTP/1.1 200 OK\\r\\n X-A: 1 | folded a header field over several lines (obs-fold)",
      "HTTP/1.1 200 OK\\r\\nX-A : 1 | white space between a header field name and its colon: \"X-A : 1\"",
      "HTTP/1.1 200 OK\\r\\nX-A\\t: 1 | white space between a header field name and its colon",
      "HTTP/1.1 200 OK\\r\\nX-A 1 | white space between a header field name and its colon",
      "HTTP/1.1 200 OK\\r\\nX-A | header line without a colon: \"X-A\"",
      "HTTP/1.1 200 OK\\r\\nX@A: 1 | header field name that is not a token",
      "HTTP/1.1 200 OK\\r\\n: 1 | header field name that is not a token",
      "HTTP/1.1 200 OK\\r\\nX-A: a\\x00b | control character in a header field value: \"X-A: a\\x00b\"",
      "HTTP/1.1 200 OK\\r\\nX-A: a\\x7fb | control character in a header field value",
      "HTTP/1.1 200 OK\\r\\nX-A: a\\x1bb | control character in a header field value",
      "HTTP/1.1 200 OK\\rX-A: 1 | bare CR (not followed by LF) in the response head",
      "HTTP/1.1 200 OK\\r\\nX-A: a\\rb | bare CR (not followed by LF) in the response head",
      "HTTP/1.1 200 OK\\r\\nX-A: 1\\r\\r\\n | bare CR (not followed by LF) in the response head",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nContent-Length: 6 | conflicting Content-Length values: 5 and 6",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 5, 6 | conflicting Content-Length values: 5 and 6",
      "HTTP/1.1 200 OK\\r\\nContent-Length: -5 | Content-Length is not a number: \"-5\"",
      "HTTP/1.1 200 OK\\r\\nContent-Length: +5 | Content-Length is not a number",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 5 5 | Content-Length is not a number",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 5, | Content-Length is not a number",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 0x10 | Content-Length is not a number",
      "HTTP/1.1 200 OK\\r\\nContent-Length: | Content-Length is not a number",
      "HTTP/1.1 200 OK\\r\\nContent-Length: 9223372036854775808 | Content-Length is too large",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nx\\r\\n | invalid chunk-size line: \"x\"",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n\\r\\n | invalid chunk-size line: \"\"",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n 5\\r\\n | invalid chunk-size line",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5 x\\r\\n | invalid chunk-size line",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n-5\\r\\n | invalid chunk-size line",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1000000000000000\\r\\n | chunk size has more than 15 hex digits",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\rabcde | bare CR (not followed by LF) in the chunk-size line",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcd\\r\\n | chunk data is not followed by a line end (found d)",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\rX | chunk data is not followed by a line end (found X)",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\r | chunk data is not followed by a line end (found \\r)",
      "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nX: 1\\rY | bare CR (not followed by LF) in the trailer section"})
  void malformedResponsesAreRejectedWithAMessageThatSaysWhy(String response, String message) {
    String input = unescape(response) + "\r\n\r\n";
    for (Feed feed : feeds().toList()) {
      assertThatThrownBy(() -> feed.runToClose(input)).as(feed.toString())
          .isInstanceOfSatisfying(UpstreamException.class, A_PROTOCOL_ERROR)
          .hasMessageContaining(message);
    }
  }

  @Test
  void aParserThatFoundAnErrorRefusesMoreUntilReset() throws IOException {
    ResponseParser parser = new ResponseParser(MAX_HEAD);
    assertThatThrownBy(() -> parser.parse(ByteBuffer.wrap(bytes("HTTP/3 200\r\n")), new Recorder()))
        .isInstanceOfSatisfying(UpstreamException.class, A_PROTOCOL_ERROR);
    assertThatThrownBy(() -> parser.parse(ByteBuffer.wrap(bytes("HTTP/1.1 200 OK\r\n")), new Recorder()))
        .as("the connection is no longer in step").isInstanceOf(IllegalStateException.class);

    parser.reset(false);
    assertThat(parser.parse(ByteBuffer.wrap(bytes("HTTP/1.1 204 OK\r\n\r\n")), new Recorder()))
        .as("after a reset").isTrue();
  }

  // ---- bounds

  @EveryFeed
  void aHeadMayTakeExactlyTheBoundButNotOneByteMore(Feed feed) throws IOException {
    String start = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";
    String fits = start + "x".repeat(MAX_HEAD - start.length() - 4) + "\r\n\r\n";
    assertThat(fits).hasSize(MAX_HEAD);
    feed.expect(fits, "200 length=0 body= end");

    String tooLarge = start + "x".repeat(MAX_HEAD - start.length() - 3) + "\r\n\r\n";
    assertThatThrownBy(() -> feed.run(tooLarge)).as(feed.toString())
        .isInstanceOfSatisfying(UpstreamException.class, A_PROTOCOL_ERROR)
        .hasMessage("response head larger than " + MAX_HEAD + " bytes");
  }

  @EveryFeed
  void eachHeadIsBoundedOnItsOwnSoInterimHeadsDoNotCountAgainstTheFinalOne(Feed feed)
      throws IOException {
    String interim = "HTTP/1.1 103 Early Hints\r\nLink: " + "x".repeat(MAX_HEAD - 36) + "\r\n\r\n";
    assertThat(interim.length()).isLessThanOrEqualTo(MAX_HEAD);

    feed.expect(interim + interim + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!",
        "200 length=1 body=! end");
  }

  @EveryFeed
  void aChunkSizeLineAndTheTrailerSectionAreBoundedToo(Feed feed) {
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    String longExtension = "1;" + "e".repeat(MAX_HEAD) + "\r\nx\r\n0\r\n\r\n";
    assertThatThrownBy(() -> feed.run(head + longExtension)).as(feed.toString())
        .isInstanceOfSatisfying(UpstreamException.class, A_PROTOCOL_ERROR)
        .hasMessage("chunk-size line larger than " + MAX_HEAD + " bytes");

    String manyTrailers = "0\r\n" + "X-T: 1234567890\r\n".repeat(MAX_HEAD / 17 + 1) + "\r\n";
    assertThatThrownBy(() -> feed.run(head + manyTrailers)).as(feed.toString())
        .isInstanceOfSatisfying(UpstreamException.class, A_PROTOCOL_ERROR)
        .hasMessage("trailer section larger than " + MAX_HEAD + " bytes");
  }

  @Test
  void manyChunkSizeLinesAreEachBoundedNotTheirSum() throws IOException {
    String body = "1;ext=" + "e".repeat(MAX_HEAD / 2) + "\r\nx\r\n";
    Feed.WHOLE.expect("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + body.repeat(10) + "0\r\n\r\n", "200 length=-1 body=xxxxxxxxxx end");
  }

  // ---- keep-alive

  @ParameterizedTest(name = "{0} / Connection: {1} / {2} -> {3}")
  @CsvSource(delimiter = '|', value = {
      "HTTP/1.1 |                  | Content-Length: 1         | true",
      "HTTP/1.1 | close            | Content-Length: 1         | false",
      "HTTP/1.1 | Keep-Alive, CLOSE | Content-Length: 1        | false",
      "HTTP/1.1 | closed           | Content-Length: 1         | true",
      "HTTP/1.1 | upgrade          | Transfer-Encoding: chunked | true",
      "HTTP/1.1 |                  | Transfer-Encoding: gzip   | false",
      "HTTP/1.1 |                  |                           | false",
      "HTTP/1.1 | close            | HEAD                      | false",
      "HTTP/1.1 |                  | HEAD                      | true",
      "HTTP/1.0 |                  | Content-Length: 1         | false",
      "HTTP/1.0 | keep-alive       | Content-Length: 1         | true",
      "HTTP/1.0 | foo , Keep-Alive | Content-Length: 1         | true",
      "HTTP/1.0 | keep-alive, close | Content-Length: 1        | false",
      "HTTP/1.0 | keep-alive       |                           | false",
      "HTTP/1.0 | keep-alive       | Transfer-Encoding: chunked | false"})
  void keepAliveFollowsTheVersionTheConnectionTokensAndTheFraming(
      String version, String connection, String framing, boolean expected) throws IOException {
    boolean head = "HEAD".equals(framing);
    String fields = (connection == null ? "" : "Connection: " + connection + "\r\n")
        + (framing == null || head ? "" : framing + "\r\n");
    String body = framing != null && framing.endsWith("chunked") ? "1\r\nx\r\n0\r\n\r\n" : "x";
    for (Feed feed : feeds().toList()) {
      ResponseParser parser = new ResponseParser(MAX_HEAD);
      Run run = feed.run(parser, head, version + " 200 OK\r\n" + fields + "\r\n" + (head ? "" : body));
      if (!run.ended) {
        parser.endOfInput(run.listener);
      }

      assertThat(parser.keepAlive()).as(feed + ": " + run.describe()).isEqualTo(expected);
    }
  }

  @Test
  void keepAliveIsFalseBeforeTheResponseEnded() throws IOException {
    ResponseParser parser = new ResponseParser(MAX_HEAD);
    parser.parse(ByteBuffer.wrap(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\na")), new Recorder());

    assertThat(parser.keepAlive()).as("one body byte still to come").isFalse();
  }

  // ---- feeding

  /** Runs a test once for each {@link Feed}: every split size from every kind of buffer. */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.faas4j.core.internal.http.ResponseParserTest#feeds")
  @interface EveryFeed {}

  static Stream<Feed> feeds() {
    return Stream.of(1, 2, 7, Integer.MAX_VALUE)
        .flatMap(split -> Arrays.stream(Kind.values()).map(kind -> new Feed(split, kind)));
  }

  /** Turns the escapes a CSV row uses ({@code \\r \\n \\t \\xHH}) into the characters. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'r' -> out.append('\r');
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'x' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
          i += 2;
        }
        default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + s);
      }
    }
    return out.toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Where the bytes handed to the parser live. */
  enum Kind {
    /** A heap buffer whose position is not 0. */
    HEAP,
    /** A slice of a larger heap array (its array offset is not 0). */
    HEAP_SLICE,
    /** A direct buffer whose position is not 0. */
    DIRECT;

    ByteBuffer wrap(byte[] bytes, int from, int length) {
      switch (this) {
        case HEAP:
          return ByteBuffer.wrap(bytes, from, length);
        case HEAP_SLICE:
          byte[] larger = new byte[length + 6];
          Arrays.fill(larger, (byte) '#');
          System.arraycopy(bytes, from, larger, 3, length);
          return ByteBuffer.wrap(larger, 3, length).slice();
        default:
          ByteBuffer direct = ByteBuffer.allocateDirect(length + 4);
          direct.position(2);
          direct.put(bytes, from, length);
          return direct.flip().position(2);
      }
    }
  }

  /** Feeds a response in pieces of {@code split} bytes, each in a fresh buffer of a kind. */
  record Feed(int split, Kind kind) {
    static final Feed WHOLE = new Feed(Integer.MAX_VALUE, Kind.HEAP);

    Run run(String response) throws IOException {
      return run(new ResponseParser(MAX_HEAD), false, response);
    }

    /** Feeds a response that ends by itself and checks what the listener saw. */
    Run expect(String response, String transcript) throws IOException {
      Run run = run(response);
      assertThat(run.describe()).as(toString()).isEqualTo(transcript);
      return run;
    }

    /** Feeds a response, ends the input, and checks what the listener saw. */
    Run expectToClose(String response, String transcript) throws IOException {
      Run run = runToClose(response);
      assertThat(run.describe()).as(toString()).isEqualTo(transcript);
      return run;
    }

    /** Feeds everything, then tells the parser the connection ended if the response had not. */
    Run runToClose(String response) throws IOException {
      Run run = run(response);
      if (!run.ended) {
        run.parser.endOfInput(run.listener);
      }
      return run;
    }

    Run run(ResponseParser parser, boolean headRequest, String response) throws IOException {
      if (headRequest) {
        parser.reset(true);
      }
      byte[] bytes = bytes(response);
      Recorder listener = new Recorder();
      for (int from = 0; from < bytes.length; from += split) {
        int length = Math.min(split, bytes.length - from);
        ByteBuffer in = kind.wrap(bytes, from, length);
        if (parser.parse(in, listener)) {
          byte[] rest = new byte[in.remaining() + bytes.length - from - length];
          in.get(rest, 0, in.remaining());
          System.arraycopy(bytes, from + length, rest, rest.length - (bytes.length - from - length),
              bytes.length - from - length);
          return new Run(parser, listener, true, new String(rest, StandardCharsets.ISO_8859_1));
        }
        assertThat(in.hasRemaining()).as("a response that did not end consumes all it is given")
            .isFalse();
      }
      return new Run(parser, listener, listener.ended, "");
    }

    @Override
    public String toString() {
      return (split == Integer.MAX_VALUE ? "whole" : split + "-byte pieces") + ", " + kind;
    }
  }

  /** What one feeding produced. */
  record Run(ResponseParser parser, Recorder listener, boolean ended, String leftover) {
    /** Status, declared length, body and whether it ended, in one line. */
    String describe() {
      ResponseHead head = listener.head;
      return (head == null ? "no head" : head.status() + " length=" + head.contentLength())
          + " body=" + listener.body.toString(StandardCharsets.ISO_8859_1)
          + (listener.ended ? " end" : "");
    }
  }

  /** Records what the parser reports, checking the order and the contract of each call. */
  static class Recorder implements ResponseParser.Listener {
    ResponseHead head;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean ended;

    @Override
    public void onHead(ResponseHead head) throws IOException {
      assertThat(this.head).as("onHead is called once").isNull();
      this.head = head;
    }

    @Override
    public void onData(ByteBuffer piece) throws IOException {
      assertThat(head).as("onData after onHead").isNotNull();
      assertThat(ended).as("onData before onEnd").isFalse();
      assertThat(piece.hasRemaining()).as("a piece is never empty").isTrue();
      byte[] copy = new byte[piece.remaining()];
      piece.get(copy);
      body.write(copy);
    }

    @Override
    public void onEnd() throws IOException {
      assertThat(head).as("onEnd after onHead").isNotNull();
      assertThat(ended).as("onEnd is called once").isFalse();
      ended = true;
    }
  }
}
