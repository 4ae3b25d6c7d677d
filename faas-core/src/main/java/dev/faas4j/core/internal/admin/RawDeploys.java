package dev.faas4j.core.internal.admin;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a raw deploy: {@code POST /deploy/{name}?version=v1&alias=test} whose body is the script
 * itself, sent as {@code application/javascript} or {@code text/javascript} (what {@code curl
 * --data-binary @worker.js} sends with that header). The settings a JSON deploy has in its body come
 * from query parameters: {@code version}, {@code alias} and {@code format} ({@code module} or {@code
 * service-worker}, else detected from the code). Any other parameter, a parameter given twice, an
 * empty script or one that is not UTF-8 is refused with INVALID_REQUEST before anything changes.
 *
 * <p>Stateless.
 */
final class RawDeploys {

  private static final Set<String> SCRIPT_TYPES = Set.of("application/javascript", "text/javascript");
  private static final List<String> PARAMETERS = List.of("alias", "format", "version");
  private static final Set<String> FORMATS = Set.of("module", "service-worker");

  /** What a raw deploy asks for. */
  record Deploy(FunctionSpec spec, String alias) {}

  private RawDeploys() {}

  /** Whether the request's body is a script (its media type is a JavaScript one). */
  static boolean isScript(HttpServletRequest request) {
    String type = request.getContentType();
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    String mediaType = (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    return SCRIPT_TYPES.contains(mediaType);
  }

  /**
   * The version a raw deploy describes, and its alias (null for none).
   *
   * @throws FaasException INVALID_REQUEST for a bad query or body, PAYLOAD_TOO_LARGE over {@code maxBytes}
   */
  static Deploy read(HttpServletRequest request, String name, long maxBytes, Supplier<String> newVersion)
      throws IOException {
    String charset = request.getCharacterEncoding();
    if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
      throw FaasException.invalid("a script must be sent as UTF-8, not " + Answers.abbreviate(charset));
    }
    Map<String, String[]> parameters = request.getParameterMap();
    for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
      if (!PARAMETERS.contains(parameter.getKey())) {
        throw FaasException.invalid("unknown query parameter '" + Answers.abbreviate(parameter.getKey())
            + "' in a script deploy; allowed: " + PARAMETERS);
      }
      if (parameter.getValue().length != 1) {
        throw FaasException.invalid("query parameter '" + parameter.getKey() + "' was given "
            + parameter.getValue().length + " times; give it once");
      }
    }
    String format = parameter(parameters, "format");
    if (format != null && !FORMATS.contains(format)) {
      throw FaasException.invalid("format must be 'module' or 'service-worker' (or left out to detect it from the"
          + " code), was '" + Answers.abbreviate(format) + "'");
    }
    String code = script(request, maxBytes);
    String version = parameter(parameters, "version");
    FunctionSpec spec = FunctionSpec.builder(name)
        .version(version == null ? newVersion.get() : version)
        .runtime("js")
        .code(code)
        .options(format == null ? Map.of() : Map.of("format", format))
        .build();
    return new Deploy(spec, parameter(parameters, "alias"));
  }

  /** A parameter's value, or null when it is absent or empty (as an absent or empty JSON field). */
  private static String parameter(Map<String, String[]> parameters, String name) {
    String[] values = parameters.get(name);
    return values == null || values[0].isEmpty() ? null : values[0];
  }

  private static String script(HttpServletRequest request, long maxBytes) throws IOException {
    byte[] bytes = RequestBodies.readBounded(request.getInputStream(), maxBytes, "the function's script");
    return RequestBodies.strictUtf8(bytes, "the script is not valid UTF-8");
  }
}
