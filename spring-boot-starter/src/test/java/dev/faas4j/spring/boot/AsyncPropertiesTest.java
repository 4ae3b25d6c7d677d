package dev.faas4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.core.Faas;
import dev.faas4j.spring.boot.app.TestApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code faas4j.async.*} properties reach the Faas of a real application on a random port (the
 * in-memory provider, no workerd): the queue depth bounds the calls accepted, and callback-allow
 * lets a callback reach this machine.
 */
class AsyncPropertiesTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dataDir;

  @Test
  void queueDepthAndCallbackAllowReachTheFaas() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    FunctionHandler slow = request -> {
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return FunctionResponse.ok("done");
    };
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApplication.class)
        .initializers(context -> context.getBeanFactory().registerSingleton("slow", slow))
        .run("--server.port=0", "--spring.main.banner-mode=off", Required.withoutDataSource(),
            "--server.tomcat.basedir=" + dataDir.resolve("tomcat"), "--faas4j.data-dir=" + dataDir,
            "--faas4j.provider=in-memory", "--faas4j.async.queue-depth=2", "--faas4j.async.workers=1",
            "--faas4j.async.callback-allow=127.0.0.1/32")) {
      int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
      app.getBean(Faas.class).deploy(FunctionSpec.builder("slow").version("v1").code("x").build(), null);
      try {
        assertThat(post(port, null).statusCode()).as("first call").isEqualTo(202);
        assertThat(post(port, "http://127.0.0.1:9/hook").statusCode())
            .as("second call, its callback on this machine allowed by faas4j.async.callback-allow").isEqualTo(202);
        HttpResponse<String> third = post(port, null);
        assertThat(third.statusCode()).as("third call beyond faas4j.async.queue-depth=2: %s", third.body())
            .isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(post(port, "http://10.0.0.1/hook").statusCode()).as("a private address still refused")
            .isEqualTo(400);
      } finally {
        release.countDown();
      }
    }
  }

  private static HttpResponse<String> post(int port, String callback) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/async-function/slow"))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("x"));
    if (callback != null) {
      request.header("X-Callback-Url", callback);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
