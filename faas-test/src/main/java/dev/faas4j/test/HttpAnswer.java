package dev.faas4j.test;

import dev.faas4j.api.FunctionResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one HTTP/1.1 answer from a connection the client asked to close: the status line, the
 * header fields, and the body framed by {@code Transfer-Encoding: chunked}, by {@code
 * Content-Length}, or by the end of the connection. Interim 1xx answers are skipped. Strict about
 * what it cannot read (a malformed line, a body over the limit), so a test never passes on half an
 * answer.
 */
final class HttpAnswer {

  private static final int MAX_LINE = 16 * 1024;
  private static final int MAX_FIELDS = 256;

  private HttpAnswer() {}

  static FunctionResponse read(InputStream in, boolean headRequest, int maxBody) throws IOException {
    while (true) {
      String statusLine = line(in);
      String[] parts = statusLine.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
        throw new IOException("not an HTTP/1.1 status line: " + abbreviate(statusLine));
      }
      int status = Integer.parseInt(parts[1]);
      Map<String, List<String>> headers = fields(in);
      if (status >= 100 && status < 200) {
        continue; // an interim answer (100 Continue, 103 Early Hints): the real one follows
      }
      byte[] body = headRequest || status == 204 || status == 304 ? new byte[0] : body(in, headers, maxBody);
      return new FunctionResponse(status, headers, body);
    }
  }

  private static Map<String, List<String>> fields(InputStream in) throws IOException {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int count = 0; ; count++) {
      String line = line(in);
      if (line.isEmpty()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || count >= MAX_FIELDS) {
        throw new IOException("malformed header field: " + abbreviate(line));
      }
      String name = line.substring(0, colon).strip();
      String existing = headers.keySet().stream().filter(name::equalsIgnoreCase).findFirst().orElse(name);
      headers.computeIfAbsent(existing, n -> new ArrayList<>()).add(line.substring(colon + 1).strip());
    }
  }

  private static byte[] body(InputStream in, Map<String, List<String>> headers, int maxBody) throws IOException {
    String encoding = first(headers, "Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(java.util.Locale.ROOT).endsWith("chunked")) {
      return chunked(in, maxBody);
    }
    String length = first(headers, "Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length);
      } catch (NumberFormatException e) {
        throw new IOException("malformed Content-Length: " + abbreviate(length));
      }
      if (declared < 0 || declared > maxBody) {
        throw new IOException("answer body of " + declared + " bytes is over the limit of " + maxBody);
      }
      byte[] body = in.readNBytes((int) declared);
      if (body.length < declared) {
        throw new EOFException("the answer ended after " + body.length + " of " + declared + " bytes");
      }
      return body;
    }
    byte[] body = in.readNBytes(maxBody + 1); // framed by the end of the connection
    if (body.length > maxBody) {
      throw new IOException("answer body is over the limit of " + maxBody + " bytes");
    }
    return body;
  }

  private static byte[] chunked(InputStream in, int maxBody) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
      int size;
      try {
        size = Integer.parseInt(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("malformed chunk size: " + abbreviate(sizeLine));
      }
      if (size < 0 || body.size() + (long) size > maxBody) {
        throw new IOException("answer body is over the limit of " + maxBody + " bytes");
      }
      if (size == 0) {
        fields(in); // trailers, dropped
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length < size) {
        throw new EOFException("the answer ended inside a chunk");
      }
      body.write(chunk);
      if (!line(in).isEmpty()) {
        throw new IOException("a chunk did not end with CRLF");
      }
    }
  }

  /** One line without its CRLF (a bare LF is accepted too). */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("the connection ended in the middle of the answer's head");
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("a line of the answer is longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name)) {
        return String.join(", ", header.getValue());
      }
    }
    return null;
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
