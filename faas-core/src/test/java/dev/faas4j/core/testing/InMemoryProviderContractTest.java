package dev.faas4j.core.testing;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionProviderContract;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;

/** The in-memory provider follows the same contract as workerd and Docker. */
class InMemoryProviderContractTest extends FunctionProviderContract {

  @Override
  protected FunctionProvider newProvider() {
    // The "code" of these specs is the body to answer with, or "env:KEY" to echo an env var.
    return new InMemoryProvider(spec -> {
      String code = spec.code();
      String body = code.startsWith("env:") ? spec.env().get(code.substring(4)) : code;
      return request -> FunctionResponse.ok(body);
    });
  }

  @Override
  protected FunctionSpec respondingSpec(String name, String version, String body) {
    return FunctionSpec.builder(name).version(version).runtime(InMemoryProvider.RUNTIME).code(body).build();
  }

  @Override
  protected FunctionSpec envEchoSpec(String name, String version, String key, String value) {
    return FunctionSpec.builder(name).version(version).runtime(InMemoryProvider.RUNTIME)
        .code("env:" + key).env(key, value).build();
  }
}
