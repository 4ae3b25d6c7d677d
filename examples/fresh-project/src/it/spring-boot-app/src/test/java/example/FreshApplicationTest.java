package example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * The application's test, as the README's recipe has it: the in-memory provider instead of workerd
 * (no process, no file), and a FunctionHandler bean that is what function "greet" does.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "faas4j.provider=in-memory")
class FreshApplicationTest {

  static {
    // The JDK's HttpClient refuses to send a Host header unless told otherwise before its first use.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @TestConfiguration
  static class Functions {
    @Bean
    FunctionHandler greet() {
      return request -> FunctionResponse.ok("hello from greet, in memory");
    }
  }

  @LocalServerPort
  int port;

  @Value("${faas4j.admin.token}")
  String token;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void deploysAndCallsAFunctionAndKeepsItsOwnApi() throws Exception {
    HttpResponse<String> deployed = send(HttpRequest.newBuilder(url("/faas4j/api/deploy/greet"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"v1\",\"code\":\"export default {}\"}")));
    assertThat(deployed.statusCode()).as("deploy: %s", deployed.body()).isEqualTo(200);

    HttpResponse<String> called = send(HttpRequest.newBuilder(url("/")).header("Host", "greet.func.local"));
    assertThat(called.body()).isEqualTo("hello from greet, in memory");

    HttpResponse<String> own = send(HttpRequest.newBuilder(url("/api/hello")));
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).isEqualTo("hello from the application's own controller");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
