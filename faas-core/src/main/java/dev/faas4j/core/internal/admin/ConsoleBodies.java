package dev.faas4j.core.internal.admin;

import static dev.faas4j.core.internal.admin.Answers.fields;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionVersion;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON of the two routes the web console needs beyond the original API: one version's
 * definition ({@code GET …/versions/{v}}: its code, env names, never env values), and a call of a
 * function through {@code Faas.invoke} ({@code POST …/invoke}) described as JSON both ways.
 */
final class ConsoleBodies {

  private static final Set<String> INVOKE_FIELDS = Set.of("version", "method", "path", "headers", "body");

  private ConsoleBodies() {}

  /** A version's definition: code or image, env names (values are not shown), labels, options. */
  static Map<String, Object> version(FunctionVersion version) {
    FunctionSpec spec = version.spec();
    Map<String, Object> body = fields("name", spec.name(), "version", spec.version(), "runtime", spec.runtime(),
        "createdAt", version.createdAt().toString());
    if (spec.code() != null) {
      body.put("code", spec.code());
    }
    if (spec.image() != null) {
      body.put("image", spec.image());
    }
    body.put("env", new TreeSet<>(spec.env().keySet()));
    body.put("labels", spec.labels());
    body.put("options", spec.options());
    return body;
  }

  /**
   * The request of {@code {"method","path","headers"?,"body"?,"version"?}}: {@code path} starts
   * with {@code /} and may carry a query; {@code headers} maps names to string values.
   *
   * @throws FaasException INVALID_REQUEST for anything else
   */
  static FunctionRequest request(ObjectNode body) {
    RequestBodies.checkFields(body, INVOKE_FIELDS, "invoke");
    String method = RequestBodies.requiredText(body, "method");
    String path = RequestBodies.requiredText(body, "path");
    FunctionRequest request;
    try {
      request = FunctionRequest.of(method, path);
    } catch (IllegalArgumentException e) {
      throw FaasException.invalid(e.getMessage());
    }
    JsonNode headers = body.get("headers");
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        throw FaasException.invalid("headers must be an object of names to string values");
      }
      Iterator<Map.Entry<String, JsonNode>> entries = headers.fields();
      while (entries.hasNext()) {
        Map.Entry<String, JsonNode> header = entries.next();
        if (!header.getValue().isTextual() || !isToken(header.getKey())
            || header.getValue().asText().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
          throw FaasException.invalid("header '" + Answers.abbreviate(header.getKey())
              + "' must be a header name with a string value");
        }
        request = request.withHeader(header.getKey(), header.getValue().asText());
      }
    }
    String text = RequestBodies.text(body, "body");
    if (text != null && !text.isEmpty()) {
      request = request.withBody(text.getBytes(StandardCharsets.UTF_8));
    }
    return request;
  }

  /** A function's answer: status, headers, and the body as text (or base64 when it is not UTF-8). */
  static Map<String, Object> response(FunctionResponse response) {
    Map<String, Object> body = fields("status", response.status(), "headers", response.headers());
    try {
      body.put("body", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(response.body())).toString());
      body.put("bodyEncoding", "utf-8");
    } catch (CharacterCodingException e) {
      body.put("body", Base64.getEncoder().encodeToString(response.body()));
      body.put("bodyEncoding", "base64");
    }
    return body;
  }

  /** Whether {@code name} is an HTTP token, as header names are. */
  private static boolean isToken(String name) {
    return !name.isEmpty() && name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
  }
}
