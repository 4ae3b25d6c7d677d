package dev.faas4j.core.internal.http;

import static dev.faas4j.core.internal.http.ResponseLineReader.excerpt;
import static dev.faas4j.core.internal.http.ResponseLineReader.isControl;
import static dev.faas4j.core.internal.http.ResponseLineReader.isDigit;
import static dev.faas4j.core.internal.http.ResponseLineReader.isWhite;
import static dev.faas4j.core.internal.http.ResponseLineReader.latin1;
import static dev.faas4j.core.internal.http.ResponseLineReader.protocolError;
import static dev.faas4j.core.internal.http.ResponseLineReader.quote;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The head of an upstream's response, line by line, for {@link ResponseParser}: the status line and
 * the header fields, checked strictly (RFC 9112: no obs-fold, no white space before a field's
 * colon, no control characters in a value, field names that are tokens, one {@code
 * Content-Length}), and what they say about framing and persistence, which the parser then applies.
 *
 * <p>Not thread-safe: one connection's reader uses it, reset for every head.
 */
final class ResponseHeadParser {

  private static final boolean[] TCHAR = new boolean[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private final ResponseLineReader lines;
  private final List<ResponseHead.Field> fields = new ArrayList<>();

  private int headLines;
  /** The status code, once the status line was read. */
  int status;
  /** HTTP/1.1 (rather than HTTP/1.0). */
  boolean http11;
  /** The {@code Content-Length}, or -1 when there was none. */
  long declaredLength;
  /** Whether a {@code Transfer-Encoding} field was seen. */
  boolean transferEncoding;
  /** Whether its last coding is {@code chunked}. */
  boolean chunked;
  /** {@code Connection: close} was seen. */
  boolean connectionClose;
  /** {@code Connection: keep-alive} was seen. */
  boolean connectionKeepAlive;
  /** The request asked to switch protocols, so a 101 is an answer rather than a violation. */
  boolean upgradeRequested;

  ResponseHeadParser(ResponseLineReader lines) {
    this.lines = lines;
    start();
  }

  /** Prepares for a new head. */
  void start() {
    fields.clear();
    headLines = 0;
    status = 0;
    http11 = false;
    declaredLength = -1;
    transferEncoding = false;
    chunked = false;
    connectionClose = false;
    connectionKeepAlive = false;
  }

  /** The head read, with the body length the parser settled on. */
  ResponseHead head(long contentLength) {
    return new ResponseHead(status, fields, contentLength);
  }

  /**
   * Takes the next line of the head that {@code lines} found.
   *
   * @return true when it was the empty line that ends the head
   */
  boolean line() throws UpstreamException {
    if (headLines++ == 0) {
      statusLine();
    } else if (lines.lineIsEmpty()) {
      return true;
    } else {
      fieldLine();
    }
    return false;
  }

  private void statusLine() throws UpstreamException {
    ByteBuffer b = lines.line;
    int from = lines.lineFrom;
    int length = lines.lineTo - from;
    if (length < 8 || !startsWithHttp1(b, from)
        || (b.get(from + 7) != '1' && b.get(from + 7) != '0')) {
      throw protocolError("the function's status line is not HTTP/1.1 or HTTP/1.0: "
          + excerpt(b, from, lines.lineTo));
    }
    if (length < 12 || b.get(from + 8) != ' ' || !isDigit(b.get(from + 9))
        || !isDigit(b.get(from + 10)) || !isDigit(b.get(from + 11))
        || (length > 12 && b.get(from + 12) != ' ')) {
      throw protocolError("the function's status line has no 3-digit status code: "
          + excerpt(b, from, lines.lineTo));
    }
    int code = (b.get(from + 9) - '0') * 100 + (b.get(from + 10) - '0') * 10
        + (b.get(from + 11) - '0');
    if (code < 100 || code > 599) {
      throw protocolError("the function's status code " + code + " is not in 100-599");
    }
    if (code == 101 && !upgradeRequested) {
      throw protocolError("the function switched protocols (101) without being asked to");
    }
    for (int i = from + 13; i < lines.lineTo; i++) {
      if (isControl(b.get(i))) {
        throw protocolError("the function's status line has a control character: "
            + excerpt(b, from, lines.lineTo));
      }
    }
    status = code;
    http11 = b.get(from + 7) == '1';
  }

  private static boolean startsWithHttp1(ByteBuffer b, int from) {
    return b.get(from) == 'H' && b.get(from + 1) == 'T' && b.get(from + 2) == 'T'
        && b.get(from + 3) == 'P' && b.get(from + 4) == '/' && b.get(from + 5) == '1'
        && b.get(from + 6) == '.';
  }

  private void fieldLine() throws UpstreamException {
    ByteBuffer b = lines.line;
    int from = lines.lineFrom;
    int to = lines.lineTo;
    byte first = b.get(from);
    if (first == ' ' || first == '\t') {
      throw protocolError("the function folded a header field over several lines"
          + " (obs-fold), which is not allowed: " + excerpt(b, from, to));
    }
    int colon = from;
    while (colon < to && TCHAR[b.get(colon) & 0xff]) {
      colon++;
    }
    if (colon == to) {
      throw protocolError("the function sent a header line without a colon: "
          + excerpt(b, from, to));
    }
    byte c = b.get(colon);
    if (c == ' ' || c == '\t') {
      throw protocolError("the function sent white space between a header field name and"
          + " its colon: " + excerpt(b, from, to));
    }
    if (c != ':' || colon == from) {
      throw protocolError("the function sent a header field name that is not a token: "
          + excerpt(b, from, to));
    }
    int valueFrom = colon + 1;
    int valueTo = to;
    while (valueFrom < valueTo && isWhite(b.get(valueFrom))) {
      valueFrom++;
    }
    while (valueTo > valueFrom && isWhite(b.get(valueTo - 1))) {
      valueTo--;
    }
    for (int i = valueFrom; i < valueTo; i++) {
      if (isControl(b.get(i))) {
        throw protocolError("the function sent a control character in a header field"
            + " value: " + excerpt(b, from, to));
      }
    }
    String name = latin1(b, from, colon);
    String value = latin1(b, valueFrom, valueTo);
    fields.add(new ResponseHead.Field(name, value));
    if (name.equalsIgnoreCase("Content-Length")) {
      contentLength(value);
    } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
      transferEncoding(value);
    } else if (name.equalsIgnoreCase("Connection")) {
      connectionClose |= listContains(value, "close");
      connectionKeepAlive |= listContains(value, "keep-alive");
    }
  }

  private void contentLength(String value) throws UpstreamException {
    int i = 0;
    int n = value.length();
    while (true) {
      while (i < n && isWhite(value.charAt(i))) {
        i++;
      }
      long length = 0;
      int digitsFrom = i;
      for (; i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9'; i++) {
        int digit = value.charAt(i) - '0';
        if (length > (Long.MAX_VALUE - digit) / 10) {
          throw protocolError(
              "the function's Content-Length is too large: " + quote(value));
        }
        length = length * 10 + digit;
      }
      boolean digits = i > digitsFrom;
      while (i < n && isWhite(value.charAt(i))) {
        i++;
      }
      if (!digits || (i < n && value.charAt(i) != ',')) {
        throw protocolError(
            "the function's Content-Length is not a number: " + quote(value));
      }
      if (declaredLength >= 0 && declaredLength != length) {
        throw protocolError("the function sent conflicting Content-Length values: "
            + declaredLength + " and " + length);
      }
      declaredLength = length;
      if (i == n) {
        return;
      }
      i++;
    }
  }

  private void transferEncoding(String value) {
    transferEncoding = true;
    // Only the last coding of the combined list decides: find this field's last non-empty element.
    int to = value.length();
    while (to > 0) {
      int from = value.lastIndexOf(',', to - 1) + 1;
      int elementFrom = skipWhite(value, from, to);
      int elementTo = trimWhiteEnd(value, elementFrom, to);
      if (elementFrom < elementTo) {
        chunked = elementTo - elementFrom == 7
            && value.regionMatches(true, elementFrom, "chunked", 0, 7);
        return;
      }
      to = from - 1;
    }
  }

  /** Whether a comma-separated list holds {@code token}, compared case-insensitively. */
  private static boolean listContains(String list, String token) {
    int n = list.length();
    int from = 0;
    while (from <= n) {
      int comma = list.indexOf(',', from);
      int to = comma < 0 ? n : comma;
      int elementFrom = skipWhite(list, from, to);
      int elementTo = trimWhiteEnd(list, elementFrom, to);
      if (elementTo - elementFrom == token.length()
          && list.regionMatches(true, elementFrom, token, 0, token.length())) {
        return true;
      }
      from = to + 1;
    }
    return false;
  }

  private static int skipWhite(String s, int from, int to) {
    while (from < to && isWhite(s.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimWhiteEnd(String s, int from, int to) {
    while (to > from && isWhite(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }
}
