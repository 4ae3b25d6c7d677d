package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A function's outbound network on the real gateway: by default it cannot reach loopback, the
 * machine's own addresses, private ranges or the gateway's admin API. A local HTTP server (on all
 * interfaces) counts every request that reaches it; the function reports what its fetch did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundIT {

  /** Fetches the URL in the query's {@code url} and answers "reached STATUS" or "blocked: ERROR". */
  private static final String PROBE = "export default { async fetch(request) {"
      + " const url = new URL(request.url).searchParams.get('url');"
      + " try { const r = await fetch(url); return new Response('reached ' + r.status); }"
      + " catch (e) { return new Response('blocked: ' + e.message); } } }";

  private Path dataDir;
  private GatewayProcess gateway;
  private HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("faas4j-outbound-");
    server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
    server.createContext("/", exchange -> {
      hits.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    gateway = GatewayProcess.start(dataDir);
    assertThat(gateway.admin("POST", "/deploy/probe", "{\"code\":" + GatewayProcess.JSON.writeValueAsString(PROBE) + "}")
        .statusCode()).as("deploy of the probe").isEqualTo(200);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (gateway != null) {
        gateway.close();
      }
      if (server != null) {
        server.stop(0);
      }
      assertThat(GatewayProcess.workerdProcessesUnder(dataDir)).as("workerd processes left").isEmpty();
    } finally {
      HostileInputIT.deleteRecursively(dataDir);
    }
  }

  private String probe(String url) throws Exception {
    return gateway.get("probe.func.local", "/?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8)).body();
  }

  @Test
  void aFunctionCannotReachALoopbackServer() throws Exception {
    int before = hits.get();

    String answer = probe("http://127.0.0.1:" + server.getAddress().getPort() + "/");

    assertThat(answer).as("what the function saw").startsWith("blocked:");
    assertThat(hits.get()).as("requests that reached the local server").isEqualTo(before);
  }

  @Test
  void aFunctionCannotReachLocalhostByName() throws Exception {
    int before = hits.get();

    String answer = probe("http://localhost:" + server.getAddress().getPort() + "/");

    assertThat(answer).as("what the function saw").startsWith("blocked:");
    assertThat(hits.get()).as("requests that reached the local server").isEqualTo(before);
  }

  @Test
  void aFunctionCannotReachTheGatewaysOwnAdminApi() throws Exception {
    String answer = probe("http://127.0.0.1:" + gateway.port() + "/api/functions");

    assertThat(answer).as("what the function saw when calling the admin API").startsWith("blocked:");
  }

  @Test
  void aFunctionCannotReachThisMachineThroughItsOtherAddresses() throws Exception {
    int before = hits.get();
    int tried = 0;
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          tried++;
          assertThat(probe("http://" + address.getHostAddress() + ":" + server.getAddress().getPort() + "/"))
              .as("what the function saw calling " + address.getHostAddress()).startsWith("blocked:");
          assertThat(probe("http://" + address.getHostAddress() + ":" + gateway.port() + "/api/functions"))
              .as("what the function saw calling the admin API at " + address.getHostAddress()).startsWith("blocked:");
        }
      }
    }
    assertThat(hits.get()).as("requests that reached the local server through " + tried + " address(es)").isEqualTo(before);
  }

  @Test
  void aFunctionWithItsOwnPublicPolicyStillCannotReachThisMachine() throws Exception {
    assertThat(gateway.admin("POST", "/deploy/probe-public", "{\"network\":{\"allow\":[\"public\"]},\"code\":"
        + GatewayProcess.JSON.writeValueAsString(PROBE) + "}").statusCode()).as("deploy with its own policy").isEqualTo(200);
    int before = hits.get();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address) {
          String url = "http://" + address.getHostAddress() + ":" + server.getAddress().getPort() + "/";
          assertThat(gateway.get("probe-public.func.local", "/?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8)).body())
              .as("what a function allowed 'public' saw calling " + address.getHostAddress()).startsWith("blocked:");
        }
      }
    }
    assertThat(hits.get()).as("requests that reached the local server").isEqualTo(before);
  }

  @Test
  void aFunctionCannotReachPrivateRangesNorTheUnspecifiedAddresses() throws Exception {
    int before = hits.get();
    for (String address : new String[] {"10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "[::1]", "[fd00::1]",
        "0.0.0.0:" + server.getAddress().getPort(), "[::]:" + server.getAddress().getPort()}) {
      assertThat(probe("http://" + address + "/")).as("what the function saw calling " + address).startsWith("blocked:");
    }
    assertThat(hits.get()).as("requests that reached the local server").isEqualTo(before);
  }
}
