package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.testing.InMemoryProvider;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Raw deploys over the admin API: {@code POST /api/deploy/{name}?version=..&alias=..} whose body is
 * the script, as {@code application/javascript} or {@code text/javascript}; bad input is a 400 that
 * changes nothing.
 */
class RawDeployTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runtime "js" in process: each version answers with its code and its format option. */
  private final InMemoryProvider provider = new InMemoryProvider(
      spec -> request -> FunctionResponse.ok(spec.code() + " format=" + spec.options().get("format")), "js");
  private JettyHarness http;

  @BeforeEach
  void start() throws Exception {
    http = new JettyHarness(Faas.builder().provider(provider).maxCodeBytes(100).maintenanceInterval(Duration.ZERO)
        .build());
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
  }

  private HttpResponse<String> deployScript(String query, String contentType, String script) throws Exception {
    return http.adminTyped("POST", "/deploy/hello" + query, contentType, script);
  }

  private JsonNode answer(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as("status; body: " + response.body()).isEqualTo(status);
    return JSON.readTree(response.body());
  }

  private String functionsSnapshot() throws Exception {
    return answer(http.admin("GET", "/functions", null), 200).path("functions").toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/javascript", "text/javascript", "text/javascript; charset=utf-8",
      "Application/JavaScript;charset=UTF-8"})
  void aScriptBodyIsDeployedWithVersionAndAliasFromTheQuery(String contentType) throws Exception {
    JsonNode body = answer(deployScript("?version=v1&alias=test", contentType, "the script"), 200);

    assertThat(body.path("status").asText()).isEqualTo("success");
    assertThat(body.path("funcName").asText()).isEqualTo("hello");
    assertThat(body.path("version").asText()).isEqualTo("v1");
    assertThat(body.path("alias").asText()).isEqualTo("test");
    assertThat(http.call("test.hello.func.local")).isEqualTo("the script format=null");
    assertThat(http.call("hello.func.local")).as("the deploy made it the latest").isEqualTo("the script format=null");
  }

  @Test
  void withoutAVersionOneIsGeneratedAndWithoutAnAliasThereIsNone() throws Exception {
    JsonNode body = answer(deployScript("", "application/javascript", "first"), 200);

    assertThat(body.path("version").asText()).startsWith("v").hasSizeGreaterThan(2);
    assertThat(body.path("alias").asText()).isEmpty();
    assertThat(http.call(body.path("version").asText() + ".hello.func.local")).isEqualTo("first format=null");
  }

  @Test
  void theFormatParameterBecomesTheFormatOption() throws Exception {
    answer(deployScript("?version=v1&format=module", "application/javascript", "export default {}"), 200);

    assertThat(http.call("v1.hello.func.local")).isEqualTo("export default {} format=module");
  }

  @Test
  void aRedeployOfAVersionWithOtherCodeIsAConflict() throws Exception {
    answer(deployScript("?version=v1", "application/javascript", "one"), 200);

    answer(deployScript("?version=v1", "application/javascript", "two"), 409);

    assertThat(http.call("v1.hello.func.local")).isEqualTo("one format=null");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "?version=v1&colour=red",       // unknown parameter
      "?version=v1&version=v2",       // given twice
      "?version=v_1",                 // not a DNS label
      "?version=v1&alias=a.b",        // not a DNS label
      "?version=v1&format=commonjs",  // no such format
  })
  void aBadQueryIsRefusedAndChangesNothing(String query) throws Exception {
    answer(deployScript("?version=v0", "application/javascript", "zero"), 200);
    String before = functionsSnapshot();

    JsonNode body = answer(deployScript(query, "application/javascript", "new code"), 400);

    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("error").asText()).isNotBlank();
    assertThat(functionsSnapshot()).isEqualTo(before);
    assertThat(http.call("hello.func.local")).isEqualTo("zero format=null");
  }

  @Test
  void anEmptyScriptOrOneInAnotherCharsetIsRefused() throws Exception {
    assertThat(answer(deployScript("?version=v1", "application/javascript", ""), 400).path("error").asText())
        .contains("empty");
    assertThat(answer(deployScript("?version=v1", "text/javascript; charset=iso-8859-1", "x"), 400)
        .path("error").asText()).contains("UTF-8");
    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void aScriptOverTheCodeLimitIsTooLarge() throws Exception {
    answer(deployScript("?version=v1", "application/javascript", "x".repeat(101)), 413);

    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void otherContentTypesAreStillRefusedAndTheMessageNamesTheScriptForm() throws Exception {
    JsonNode body = answer(deployScript("?version=v1", "text/plain", "x"), 400);

    assertThat(body.path("error").asText()).contains("application/json").contains("application/javascript");
  }
}
