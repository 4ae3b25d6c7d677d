package dev.faas4j.core.internal.admin;

import dev.faas4j.api.FaasException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * Reads the value of {@code PUT /functions/{name}/secrets/{key}}: the raw request body, UTF-8, byte
 * for byte (no trimming). A JSON body is refused rather than stored with its quotes. No message
 * here quotes the body.
 */
final class SecretBodies {

  private SecretBodies() {}

  static String value(HttpServletRequest request, long maxBytes) throws IOException {
    String type = request.getContentType();
    if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw FaasException.invalid("send a secret's value as the raw request body (e.g. Content-Type: text/plain,"
          + " curl --data-binary @file), not as JSON");
    }
    String charset = request.getCharacterEncoding();
    if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
      throw FaasException.invalid("a secret's value must be sent as UTF-8, not " + Answers.abbreviate(charset));
    }
    byte[] bytes = RequestBodies.readBounded(request.getInputStream(), maxBytes, "the secret's value");
    try {
      return RequestBodies.strictUtf8(bytes, "the secret's value is not valid UTF-8");
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }
}
