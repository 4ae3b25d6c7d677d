package dev.faas4j.core.internal.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.api.Scaling;
import dev.faas4j.core.internal.Json;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads admin requests: the JSON object body (bounded in size and depth), its fields with their
 * types, and query parameters. Unknown fields are refused, so a misspelt field never passes
 * silently. Every refusal is an INVALID_REQUEST (or PAYLOAD_TOO_LARGE) {@link FaasException}
 * that says what was expected.
 */
final class RequestBodies {

  private static final Set<String> DEPLOY_FIELDS = Set.of(
      "runtime", "code", "image", "version", "alias", "env_vars", "labels", "options", "limits", "network", "scaling");
  private static final Set<String> SCALING_FIELDS = Set.of(
      "min", "max", "target_concurrency", "window_ms", "scale_down_delay_ms");
  private static final Set<String> LIMIT_FIELDS = Set.of("memory_mb", "cpus", "pids", "timeout_ms", "max_concurrency");

  private final long maxBodyBytes;

  RequestBodies(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The largest request body accepted. */
  long maxBodyBytes() {
    return maxBodyBytes;
  }

  /** The request's JSON object body; each route that takes a body reads it once. */
  ObjectNode read(HttpServletRequest request) throws IOException {
    String type = request.getContentType();
    if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw FaasException.invalid("Content-Type must be application/json, was " + type
          + (request.getRequestURI().contains("/deploy/") ? " (a script is deployed as application/javascript)" : ""));
    }
    return readObject(request.getInputStream(), maxBodyBytes);
  }

  /**
   * Reads a body of at most {@code maxBytes} as a JSON object.
   *
   * @throws FaasException PAYLOAD_TOO_LARGE over the limit, INVALID_REQUEST if it is not a JSON object
   */
  static ObjectNode readObject(InputStream body, long maxBytes) throws IOException {
    byte[] bytes = readBounded(body, maxBytes, "a JSON object");
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw FaasException.invalid("request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw FaasException.invalid("request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * A whole body of at most {@code maxBytes}, not empty.
   *
   * @param expected what the body should hold, for the message when it is empty
   * @throws FaasException PAYLOAD_TOO_LARGE over the limit, INVALID_REQUEST when empty
   */
  static byte[] readBounded(InputStream body, long maxBytes, String expected) throws IOException {
    byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (bytes.length > maxBytes) {
      throw new FaasException(FaasException.Reason.PAYLOAD_TOO_LARGE,
          "request body is larger than the limit of " + maxBytes + " bytes");
    }
    if (bytes.length == 0) {
      throw FaasException.invalid("request body is empty; expected " + expected);
    }
    return bytes;
  }

  /**
   * Decodes {@code bytes} as UTF-8, refusing malformed input.
   *
   * @throws FaasException INVALID_REQUEST with {@code invalidMessage} (which must not quote the bytes)
   */
  static String strictUtf8(byte[] bytes, String invalidMessage) {
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw FaasException.invalid(invalidMessage);
    }
  }

  /**
   * The version a deploy body describes. {@code runtime} defaults to {@code docker} when only an
   * image is given, else {@code js}; a missing or empty {@code version} is taken from {@code newVersion}.
   */
  FunctionSpec deploySpec(String name, ObjectNode body, Supplier<String> newVersion) {
    checkFields(body, DEPLOY_FIELDS, "deploy");
    String code = text(body, "code");
    String image = text(body, "image");
    String runtime = text(body, "runtime");
    if (runtime == null) {
      runtime = image != null && code == null ? "docker" : "js";
    }
    String version = text(body, "version");
    return FunctionSpec.builder(name)
        .version(version == null || version.isEmpty() ? newVersion.get() : version)
        .runtime(runtime)
        .code(code)
        .image(image)
        .env(stringMap(body, "env_vars"))
        .limits(limits(body.get("limits")))
        .network(network(body.get("network")))
        .labels(stringMap(body, "labels"))
        .options(stringMap(body, "options"))
        .scaling(scaling(body.get("scaling")))
        .build();
  }

  private static Limits limits(JsonNode node) {
    if (node == null || node.isNull()) {
      return Limits.NONE;
    }
    if (!node.isObject()) {
      throw FaasException.invalid("limits must be an object with " + LIMIT_FIELDS);
    }
    checkFields((ObjectNode) node, LIMIT_FIELDS, "limits");
    long memoryMb = wholeNumber(node, "memory_mb");
    long pids = wholeNumber(node, "pids");
    long timeoutMs = wholeNumber(node, "timeout_ms");
    long maxConcurrency = wholeNumber(node, "max_concurrency");
    if (maxConcurrency > Integer.MAX_VALUE) {
      throw FaasException.invalid("limits.max_concurrency must be at most " + Integer.MAX_VALUE);
    }
    JsonNode cpus = node.get("cpus");
    if (cpus != null && !cpus.isNumber()) {
      throw FaasException.invalid("limits.cpus must be a number");
    }
    return new Limits(memoryMb << 20, cpus == null ? 0 : cpus.asDouble(), (int) Math.min(pids, Integer.MAX_VALUE),
        timeoutMs == 0 ? null : Duration.ofMillis(timeoutMs), (int) maxConcurrency);
  }

  private static long wholeNumber(JsonNode node, String field) {
    return wholeNumber(node, "limits", field, 0);
  }

  private static long wholeNumber(JsonNode node, String object, String field, long absent) {
    JsonNode value = node.get(field);
    if (value == null) {
      return absent;
    }
    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > (1L << 40)) {
      throw FaasException.invalid(object + "." + field + " must be a non-negative whole number");
    }
    return value.asLong();
  }

  /** The {@code scaling} object; absent fields take {@link Scaling}'s defaults, which also checks the values. */
  private static Scaling scaling(JsonNode node) {
    if (node == null || node.isNull()) {
      return Scaling.DEFAULT;
    }
    if (!node.isObject()) {
      throw FaasException.invalid("scaling must be an object with " + SCALING_FIELDS.stream().sorted().toList());
    }
    checkFields((ObjectNode) node, SCALING_FIELDS, "scaling");
    long min = wholeNumber(node, "scaling", "min", Scaling.DEFAULT.min());
    long max = wholeNumber(node, "scaling", "max", Math.max(Scaling.DEFAULT.max(), min));
    long target = wholeNumber(node, "scaling", "target_concurrency", Scaling.DEFAULT_TARGET_CONCURRENCY);
    long window = wholeNumber(node, "scaling", "window_ms", Scaling.DEFAULT_WINDOW.toMillis());
    long delay = wholeNumber(node, "scaling", "scale_down_delay_ms", Scaling.DEFAULT_SCALE_DOWN_DELAY.toMillis());
    return new Scaling((int) Math.min(min, Integer.MAX_VALUE), (int) Math.min(max, Integer.MAX_VALUE),
        (int) Math.min(target, Integer.MAX_VALUE), Duration.ofMillis(window), Duration.ofMillis(delay));
  }

  private static NetworkPolicy network(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw FaasException.invalid("network must be an object with allow and deny lists");
    }
    checkFields((ObjectNode) node, Set.of("allow", "deny"), "network");
    return new NetworkPolicy(stringList(node, "allow"), stringList(node, "deny"));
  }

  private static List<String> stringList(JsonNode node, String field) {
    JsonNode value = node.get(field);
    List<String> list = new ArrayList<>();
    if (value == null || value.isNull()) {
      return list;
    }
    if (!value.isArray()) {
      throw FaasException.invalid("network." + field + " must be a list of strings");
    }
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw FaasException.invalid("network." + field + " must be a list of strings");
      }
      list.add(item.asText());
    }
    return list;
  }

  private static Map<String, String> stringMap(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    Map<String, String> map = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return map;
    }
    if (!node.isObject()) {
      throw FaasException.invalid(field + " must be an object of string values");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      if (!entry.getValue().isTextual()) {
        throw FaasException.invalid(field + "." + entry.getKey() + " must be a string, was "
            + entry.getValue().getNodeType().name().toLowerCase(Locale.ROOT));
      }
      map.put(entry.getKey(), entry.getValue().asText());
    }
    return map;
  }

  /**
   * The {@code weights} object of an alias body: version to a whole number. What a weight may be
   * beyond that (its range, their sum) is checked by {@code TrafficSplit}.
   */
  static Map<String, Integer> weights(ObjectNode body) {
    JsonNode node = body.get("weights");
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw FaasException.invalid("weights must be an object of versions to whole numbers, such as"
          + " {\"v1\": 90, \"v2\": 10}");
    }
    Map<String, Integer> weights = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      JsonNode value = entry.getValue();
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        throw FaasException.invalid("weights." + Answers.abbreviate(entry.getKey()) + " must be a whole number, was "
            + Answers.abbreviate(value.toString()));
      }
      weights.put(entry.getKey(), value.asInt());
    }
    return weights;
  }

  /** Refuses a field of {@code body} not in {@code allowed}; {@code what} names the request in the message. */
  static void checkFields(ObjectNode body, Set<String> allowed, String what) {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw FaasException.invalid("unknown field '" + Answers.abbreviate(name) + "' in " + what
            + " request; allowed: " + allowed.stream().sorted().toList());
      }
    }
  }

  /** A string field, or null when it is absent or null. */
  static String text(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw FaasException.invalid(field + " must be a string");
    }
    return node.asText();
  }

  /** A string field that must be present and not empty. */
  static String requiredText(ObjectNode body, String field) {
    String value = text(body, field);
    if (value == null || value.isEmpty()) {
      throw FaasException.invalid(field + " is required");
    }
    return value;
  }

  /** A whole-number query parameter from 1 to {@code max}, or {@code defaultValue} when absent. */
  static int intParameter(HttpServletRequest request, String name, int defaultValue, int max) {
    String value = request.getParameter(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < 1 || parsed > max) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw FaasException.invalid(name + " must be a whole number from 1 to " + max);
    }
  }
}
