package dev.faas4j.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.testing.InMemoryProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The recipe for an application's own tests (README, "Spring Boot"): {@code faas4j.provider=in-memory}
 * replaces workerd with functions that run in the JVM, and keeps functions in memory, so the test
 * starts no process and writes no file, and two test contexts never fight over a data directory. A
 * {@link FunctionHandler} bean named after a function is what that function does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.banner-mode=off", "faas4j.provider=in-memory"})
@DirtiesContext
class InMemoryProviderRecipeTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** What function {@code greet} does in these tests. */
  @TestConfiguration
  static class Functions {
    @Bean
    FunctionHandler greet() {
      return request -> FunctionResponse.ok("hello from a Java stand-in for " + request.path());
    }
  }

  @LocalServerPort
  int port;

  @Value("${faas4j.admin.token}")
  String token;

  @Autowired
  FunctionProvider provider;

  @Test
  void functionsRunInTheJvmAndNoWorkerdStarts() throws Exception {
    HttpResponse<String> deployed = send(HttpRequest.newBuilder(url("/faas4j/api/deploy/greet"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"v1\",\"code\":\"export default {}\"}")));
    assertThat(deployed.statusCode()).as("deploy: %s", deployed.body()).isEqualTo(200);

    HttpResponse<String> called = send(HttpRequest.newBuilder(url("/x")).header("Host", "greet.func.local"));

    assertThat(called.body()).as("the FunctionHandler bean named greet answered")
        .isEqualTo("hello from a Java stand-in for /x");
    assertThat(provider).isInstanceOf(InMemoryProvider.class);
    assertThat(NoLeftovers.workerdProcesses()).as("workerd processes of this JVM").isEmpty();
    assertThat(Files.exists(Path.of("faas-data"))).as("nothing written to the default data directory").isFalse();
  }

  @Test
  void theApplicationsOwnApiIsUntouched() throws Exception {
    HttpResponse<String> own = send(HttpRequest.newBuilder(url("/api/hello")));

    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).contains("hello, world");
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
