package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which code is detected as an ES module, and which as a service-worker script. */
class ModuleSyntaxTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "export default { fetch() { return new Response('m') } }",
      "\uFEFFexport default { fetch() { return new Response('m') } }",
      "const a = 1;export default { fetch() { return new Response(a) } }",
      "const handler = { fetch() {} }; export { handler as default }",
      "/* header */ export default {}",
      "// a comment\nexport const x = 1",
      "function f() {}\n  export async function g() {}",
      "if (true) {}export default {}",
      "export*from './other.js'",
      "export class Worker {}",
      "const s = `a${'}'}b`; export default {}",
  })
  void codeWithAnExportStatementIsAModule(String code) {
    assertThat(ModuleSyntax.hasExport(code)).as(code).isTrue();
    assertThat(WorkerFormat.of(null, code)).isEqualTo(WorkerFormat.MODULE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "addEventListener('fetch', e => e.respondWith(new Response('sw')))",
      "addEventListener('fetch', e => e.respondWith(new Response('export default {}')))",
      "addEventListener('fetch', e => e.respondWith(new Response(\"\\\"; export default {}\")))",
      "// export default {}\naddEventListener('fetch', e => {})",
      "/*\nexport default {}\n*/ addEventListener('fetch', e => {})",
      "const t = `\nexport default {}\n`; addEventListener('fetch', e => {})",
      "const exported = 1; addEventListener('fetch', e => {})",
      "var o = { export: 1 }; o.export = 2",
      "\uFEFFaddEventListener('fetch', e => {})",
      "",
  })
  void codeWithoutAnExportStatementIsAServiceWorker(String code) {
    assertThat(ModuleSyntax.hasExport(code)).as(code).isFalse();
    assertThat(WorkerFormat.of(null, code)).isEqualTo(WorkerFormat.SERVICE_WORKER);
  }
}
