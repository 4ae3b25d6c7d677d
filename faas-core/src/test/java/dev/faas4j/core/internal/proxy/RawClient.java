package dev.faas4j.core.internal.proxy;

import dev.faas4j.core.internal.http.RawUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client on a raw socket, so that tests control every header byte. Requests
 * must carry {@code Connection: close}; the response is read until the server closes.
 */
final class RawClient {

  record Response(int status, List<String[]> headers, byte[] body) {
    /** All values of a header (any case). */
    List<String> values(String name) {
      List<String> values = new ArrayList<>();
      for (String[] header : headers) {
        if (header[0].equalsIgnoreCase(name)) {
          values.add(header[1]);
        }
      }
      return values;
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      for (String[] header : headers) {
        names.add(header[0].toLowerCase(Locale.ROOT));
      }
      return names;
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private RawClient() {}

  static Response exchange(int port, String head, byte[] body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(60_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        socket.getOutputStream().write(body);
      }
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    }
  }

  static Response read(InputStream in) throws IOException {
    String head = RawUpstream.readHead(in);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
      }
    }
    Response noBody = new Response(status, headers, new byte[0]);
    byte[] body;
    if (noBody.values("Transfer-Encoding").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
      body = readChunked(in);
    } else if (!noBody.values("Content-Length").isEmpty()) {
      body = in.readNBytes(Integer.parseInt(noBody.values("Content-Length").get(0)));
    } else {
      body = in.readAllBytes();
    }
    return new Response(status, headers, body);
  }

  /** Reads a chunked body to its last chunk and trailers. */
  static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length < size) {
        throw new IOException("connection closed inside a chunk");
      }
      body.write(chunk);
      readLine(in);
    }
  }

  /** Reads a line ending with LF, without its CR LF. */
  static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed inside a line");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
