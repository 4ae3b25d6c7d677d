package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.workerd.internal.ConfigWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary config workerd runs is the text config, encoded: for each kind of spec it equals,
 * byte for byte, what {@code workerd compile --config-only} makes of the text config written next
 * to it. (That the text config means what it should is what the other tests check, through the
 * processes that run the binary one.)
 */
class BinaryConfigTest {

  @TempDir
  Path dir;

  private void assertBinaryEqualsCompiledText(FunctionSpec spec, NetworkPolicy network) throws Exception {
    Path versionDir = dir.resolve(spec.ref().name()).resolve(spec.ref().version());
    Path binary = ConfigWriter.write(spec, network, versionDir);

    Path compiled = dir.resolve("compiled-" + spec.ref().version());
    Process compile = new ProcessBuilder(TestWorkerd.binary().toString(), "compile", "--config-only",
        ConfigWriter.CONFIG_FILE)
        .directory(versionDir.toFile())
        .redirectOutput(compiled.toFile())
        .redirectError(ProcessBuilder.Redirect.PIPE)
        .start();
    String errors = new String(compile.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(compile.waitFor(30, TimeUnit.SECONDS)).as("workerd compile finished").isTrue();
    assertThat(compile.exitValue()).as("workerd compile exit code; its output: %s", errors).isZero();

    assertThat(binary).as("the binary config of %s", spec.ref()).hasFileName(ConfigWriter.BINARY_CONFIG_FILE);
    assertThat(Files.readAllBytes(binary)).as("%s: the binary config against workerd's encoding of the text config",
        spec.ref()).isEqualTo(Files.readAllBytes(compiled));
  }

  @Test
  void aServiceWorkerWithoutEnv() throws Exception {
    assertBinaryEqualsCompiledText(FunctionSpec.builder("sw").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('hi')));\n").build(), NetworkPolicy.PUBLIC_ONLY);
  }

  @Test
  void aServiceWorkerWithHostileEnvValues() throws Exception {
    assertBinaryEqualsCompiledText(FunctionSpec.builder("sw").version("v2")
        .code("addEventListener('fetch', e => e.respondWith(new Response(B + A)));")
        .env("B", "\"), (name = \"INJECTED\", text = \"x\")")
        .env("A", "line\nbreak\r\n ünïcödé 😀 中文 \\x41")
        .env("EMPTY", "")
        .env("LONG", "x".repeat(70_000 / 2))
        .build(), NetworkPolicy.PUBLIC_ONLY);
  }

  @Test
  void aModuleWithACompatibilityDate() throws Exception {
    assertBinaryEqualsCompiledText(FunctionSpec.builder("mod").version("v1")
        .code("export default { fetch(request, env) { return new Response(env.GREETING); } };")
        .env("GREETING", "hello")
        .option("compatibility-date", "2024-04-03")
        .build(), NetworkPolicy.PUBLIC_ONLY);
  }

  @Test
  void networkPoliciesIncludingAnEmptyAllowList() throws Exception {
    String code = "addEventListener('fetch', e => e.respondWith(new Response('n')));";
    assertBinaryEqualsCompiledText(FunctionSpec.builder("net").version("v1").code(code).build(),
        new NetworkPolicy(List.of(), List.of()));
    assertBinaryEqualsCompiledText(FunctionSpec.builder("net").version("v2").code(code).build(),
        new NetworkPolicy(List.of("public", "10.1.2.0/24", "local"), List.of("10.1.2.3/32", "fd00::/8")));
  }
}
