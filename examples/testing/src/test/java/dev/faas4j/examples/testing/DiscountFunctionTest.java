package dev.faas4j.examples.testing;
// readme:begin in-memory

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.core.testing.InMemoryProvider;
import dev.faas4j.test.FaasExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FaasExtension.class)                       // in memory; Faas and InMemoryProvider as parameters
class DiscountFunctionTest {
  @Test
  void appliesTheDiscount(Faas faas, InMemoryProvider functions) {
    functions.handler("discount", request -> FunctionResponse.ok("10"));
    faas.deploy(FunctionSpec.builder("discount").runtime("java").version("v1").code("discount").build(), null);
    assertEquals("10", faas.invoke("discount", null, FunctionRequest.get("/")).bodyAsString());
  }
}
// readme:end in-memory
