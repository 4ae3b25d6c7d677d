package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.api.Endpoint;
import dev.faas4j.workerd.internal.BinaryLocator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** Finds the real workerd binary for tests, and small helpers to call functions. */
final class TestWorkerd {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestWorkerd() {}

  /**
   * The binary. Missing: the test fails when {@code CI=true} (CI must have it: the build installs
   * it), and is skipped with the reason otherwise.
   */
  static Path binary() {
    try {
      return BinaryLocator.locate(null);
    } catch (IllegalStateException missing) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        return fail("CI=true and " + missing.getMessage());
      }
      Assumptions.abort("skipped, no workerd: " + missing.getMessage());
      throw missing;
    }
  }

  /** A builder on the real binary and {@code dataDir}, with short timeouts for tests. */
  static WorkerdProviderBuilder builder(Path dataDir) {
    return WorkerdProvider.builder().binary(binary()).dataDir(dataDir).stopGracePeriod(Duration.ofSeconds(3));
  }

  /** GET {@code path}; the whole response. */
  static HttpResponse<String> get(Endpoint endpoint, String path) throws Exception {
    Endpoint.Http http = (Endpoint.Http) endpoint;
    return HTTP.send(HttpRequest.newBuilder(http.baseUri().resolve(path)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code value} as a JavaScript string literal that contains only ASCII. */
  static String js(String value) {
    StringBuilder out = new StringBuilder("\"");
    value.chars().forEach(c -> {
      if (Character.isLetterOrDigit(c) && c < 128 || c == ' ') {
        out.append((char) c);
      } else {
        out.append(String.format("\\u%04x", c));
      }
    });
    return out.append('"').toString();
  }
}
