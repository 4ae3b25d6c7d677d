package dev.faas4j.examples.springboot;

// readme:begin test-imports
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.test.FunctionClient;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
// readme:end test-imports
import org.springframework.test.annotation.DirtiesContext;

/**
 * The README's recipe for an application's own tests, as shown there: the in-memory provider, a
 * {@link FunctionHandler} bean for what the function does, and {@link FunctionClient} to call it by
 * Host through the application's port. (Not in the README: {@link DirtiesContext}, so that
 * {@link NoLeftovers} finds the context closed after the class.)
 */
@DirtiesContext
// readme:begin test-class
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = "faas4j.provider=in-memory")
class GreetFunctionTest {

  @TestConfiguration
  static class Functions {
    @Bean
    FunctionHandler greet() {                 // function "greet", whatever code is deployed
      return request -> FunctionResponse.ok("hello, " + request.query());
    }
  }

  @Autowired
  Faas faas;

  @LocalServerPort
  int port;

  @Test
  void theApplicationServesTheFunctionAtItsHost() {
    faas.deploy(FunctionSpec.builder("greet").version("v1").code("export default {}").build(), null);

    // readme:begin client
    FunctionClient client = FunctionClient.of(URI.create("http://127.0.0.1:" + port));
    FunctionResponse answer = client.get("v1.greet.func.local", "/?name=Ada");
    // readme:end client

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.bodyAsString()).isEqualTo("hello, name=Ada");
  }
}
// readme:end test-class
