package dev.faas4j.examples.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.test.FaasExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's {@code Faas.invoke} lines, run: what the functions answered comes back as it was. */
class CallingFunctionsTest {

  @RegisterExtension
  final FaasExtension extension = FaasExtension.inMemory()
      .handler("hello", request -> FunctionResponse.ok("hello, " + request.query()))
      .handler("orders", request -> new FunctionResponse(201,
          Map.of("Content-Type", List.of("application/json")), request.body()));

  @Test
  void invokeReturnsWhatTheFunctionAnswered() {
    Faas faas = extension.faas();
    faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version("v1").code("hello").build(), null);
    faas.deploy(FunctionSpec.builder("orders").runtime(InMemoryProvider.RUNTIME).version("v1").code("orders").build(), null);
    String json = "{\"item\":\"book\"}";

    // readme:begin invoke
    FunctionResponse answer = faas.invoke("hello", "v1", FunctionRequest.get("/greet?name=Ada"));
    int status = answer.status();           // whatever the function answered: 200, 404, ...
    String body = answer.bodyAsString();    // its body, read whole
    FunctionResponse created = faas.invoke("orders", null,
        FunctionRequest.post("/", json).withHeader("Content-Type", "application/json"));
    // readme:end invoke

    assertThat(status).as("status of hello v1").isEqualTo(200);
    assertThat(body).as("body of hello v1").isEqualTo("hello, name=Ada");
    assertThat(created.status()).as("status of orders").isEqualTo(201);
    assertThat(created.bodyAsString()).as("orders echoes the JSON it was sent").isEqualTo(json);
  }
}
