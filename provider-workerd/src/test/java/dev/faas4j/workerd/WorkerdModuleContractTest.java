package dev.faas4j.workerd;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionProviderContract;
import dev.faas4j.api.FunctionSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The provider contract, with ES-module workers (env vars on {@code env}). */
class WorkerdModuleContractTest extends FunctionProviderContract {

  @TempDir
  Path dataDir;

  @Override
  protected FunctionProvider newProvider() {
    return TestWorkerd.builder(dataDir).build();
  }

  @Override
  protected FunctionSpec respondingSpec(String name, String version, String body) {
    return FunctionSpec.builder(name).version(version)
        .code("export default {\n  fetch(request, env) { return new Response(" + TestWorkerd.js(body) + "); }\n};\n")
        .build();
  }

  @Override
  protected FunctionSpec envEchoSpec(String name, String version, String key, String value) {
    return FunctionSpec.builder(name).version(version)
        .code("export default {\n  fetch(request, env) { return new Response(env." + key + "); }\n};\n")
        .env(key, value)
        .build();
  }
}
