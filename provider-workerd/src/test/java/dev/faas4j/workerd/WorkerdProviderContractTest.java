package dev.faas4j.workerd;

import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionProviderContract;
import dev.faas4j.api.FunctionSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The provider contract, with service-worker scripts (env vars as globals). */
class WorkerdProviderContractTest extends FunctionProviderContract {

  @TempDir
  Path dataDir;

  @Override
  protected FunctionProvider newProvider() {
    return TestWorkerd.builder(dataDir).build();
  }

  @Override
  protected FunctionSpec respondingSpec(String name, String version, String body) {
    return FunctionSpec.builder(name).version(version)
        .code("addEventListener(\"fetch\", e => e.respondWith(new Response(" + TestWorkerd.js(body) + ")));")
        .build();
  }

  @Override
  protected FunctionSpec envEchoSpec(String name, String version, String key, String value) {
    return FunctionSpec.builder(name).version(version)
        .code("addEventListener(\"fetch\", e => e.respondWith(new Response(" + key + ")));")
        .env(key, value)
        .build();
  }
}
