package dev.faas4j.core.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * faas4j's JSON: one configured mapper (strict and bounded when it reads), and the shape of every
 * error answer, shared by the admin API and the proxy's own answers.
 */
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

  /** The media type of every JSON answer. */
  public static final String CONTENT_TYPE = "application/json;charset=UTF-8";

  /** The bytes of {@code {"status":"error","error":message}}, the body of every error answer. */
  public static byte[] errorBody(String message) {
    return errorBody(message, null);
  }

  /**
   * The bytes of {@code {"status":"error","error":message,"requestId":id}}, the body of an error
   * answer to a function request ({@code requestId} left out when null).
   */
  public static byte[] errorBody(String message, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("error", message);
    if (requestId != null) {
      body.put("requestId", requestId);
    }
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a map of two strings always serializes
    }
  }
}
