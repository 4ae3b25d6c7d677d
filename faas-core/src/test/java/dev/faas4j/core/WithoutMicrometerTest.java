package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.testing.InMemoryProvider;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Micrometer is an optional dependency: faas4j serves, deploys and deletes with no Micrometer class
 * on the class path. The scenario runs in a class loader built from the test class path minus
 * Micrometer (and Prometheus's client), with the platform loader as parent, so that no class of
 * this loader leaks in.
 */
class WithoutMicrometerTest {

  @Test
  void faasRunsWithNoMicrometerOnTheClassPath() throws Exception {
    List<URL> urls = new ArrayList<>();
    String classPath = System.getProperty("java.class.path");
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.contains("/io/micrometer/") && !entry.contains("/io/prometheus/")) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    assertThat(urls).as("the test class path lists Micrometer's jars, so there is something to hide")
        .hasSizeLessThan(classPath.split(File.pathSeparator).length);

    try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      @SuppressWarnings("unchecked")
      Callable<String> scenario = (Callable<String>) loader.loadClass(Scenario.class.getName())
          .getDeclaredConstructor().newInstance();

      assertThat(scenario.call()).isEqualTo("no micrometer; served: one");
    }
  }

  /** Runs in the loader without Micrometer: checks it is absent, then uses faas4j through HTTP. */
  public static final class Scenario implements Callable<String> {
    @Override
    public String call() throws Exception {
      try {
        Class.forName("io.micrometer.core.instrument.MeterRegistry");
        return "micrometer is visible";
      } catch (ClassNotFoundException expected) {
        // the point of the test
      }
      InMemoryProvider provider = new InMemoryProvider(spec -> request -> FunctionResponse.ok(spec.code()));
      try (JettyHarness http = new JettyHarness(Faas.builder().provider(provider).build())) {
        http.faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version("v1").code("one")
            .build(), null);
        http.faas.deploy(FunctionSpec.builder("hello").runtime(InMemoryProvider.RUNTIME).version("v2").code("two")
            .build(), null);
        String body = http.call("v1.hello.func.local");
        http.faas.deleteVersion("hello", "v1", false);
        http.faas.suspendIdle();
        return "no micrometer; served: " + body;
      }
    }
  }
}
