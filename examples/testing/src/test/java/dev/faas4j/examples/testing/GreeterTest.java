package dev.faas4j.examples.testing;
// readme:begin workerd

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.test.FaasExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GreeterTest {
  @RegisterExtension                                   // builder style, static or not
  static final FaasExtension FAAS = FaasExtension.workerd().configure(builder -> builder.mountPath("/fn"));

  @Test
  void greets() {
    FAAS.faas().deploy(FunctionSpec.builder("hello").version("v1")
        .code("export default { fetch() { return new Response('hi') } }").build(), null);
    assertEquals("hi", FAAS.faas().invoke("hello", null, FunctionRequest.get("/")).bodyAsString());
  }
}
// readme:end workerd
