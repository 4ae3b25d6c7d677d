package dev.faas4j.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FaasException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON in and out of the HTTP layer: one configured mapper, and the error shape. */
public final class Json {

  /** Deepest nesting accepted in a request body. */
  public static final int MAX_DEPTH = 16;

  public static final ObjectMapper MAPPER = JsonMapper.builder(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH)
                  .maxStringLength(64 << 20)
                  .build())
              .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .build();

  private Json() {}

  /**
   * Reads a request body of at most {@code maxBytes} as a JSON object.
   *
   * @throws FaasException PAYLOAD_TOO_LARGE over the limit, INVALID_REQUEST if it is not a JSON object
   */
  public static ObjectNode readObject(InputStream body, long maxBytes) throws IOException {
    byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (bytes.length > maxBytes) {
      throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE,
          "request body is larger than the limit of " + maxBytes + " bytes");
    }
    if (bytes.length == 0) {
      throw FaasException.invalid("request body is empty; expected a JSON object");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw FaasException.invalid("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw FaasException.invalid("request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** The media type of every JSON answer. */
  public static final String CONTENT_TYPE = "application/json;charset=UTF-8";

  /** Writes {@code value} as a JSON answer with the given status. */
  public static void write(HttpServletResponse response, int status, Object value) throws IOException {
    write(response, status, MAPPER.writeValueAsBytes(value));
  }

  private static void write(HttpServletResponse response, int status, byte[] bytes) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** The bytes of {@code {"status":"error","error":message}}, the body of every error answer. */
  public static byte[] errorBody(String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("error", message);
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a map of two strings always serializes
    }
  }

  /** Writes {@code {"status":"error","error":message}} with the given status, if nothing was sent yet. */
  public static void writeError(HttpServletResponse response, int status, String message) throws IOException {
    writeError(response, status, message, null, null);
  }

  /**
   * Writes an error answer with one extra header (e.g. {@code WWW-Authenticate}), if nothing was
   * sent yet; whatever headers were set before are dropped.
   */
  public static void writeError(HttpServletResponse response, int status, String message, String header, String value)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    if (header != null) {
      response.setHeader(header, value);
    }
    write(response, status, errorBody(message));
  }

  /** Writes a {@link FaasException} as an error answer. */
  public static void writeError(HttpServletResponse response, FaasException e) throws IOException {
    writeError(response, e.reason().httpStatus(), e.getMessage());
  }
}
