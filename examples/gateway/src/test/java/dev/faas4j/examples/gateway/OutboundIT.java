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

  /** Every way of naming this machine: loopback, the unspecified addresses, their IPv6 forms, each interface. */
  private static java.util.List<String> hostsOfThisMachine() throws Exception {
    java.util.List<String> hosts = new java.util.ArrayList<>(java.util.List.of("127.0.0.1", "127.1.2.3", "localhost",
        "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:0.0.0.0]", "[::]"));
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          hosts.add(address.getHostAddress());
          hosts.add("[::ffff:" + address.getHostAddress() + "]");
        }
      }
    }
    return hosts;
  }

  @Test
  void aFunctionAllowedPublicAndPrivateCannotReachTheGatewayNorDeployThroughIt() throws Exception {
    // POSTs a deploy of "planted" to the URL in the query; answers what that did
    String deployer = "export default { async fetch(request) {"
        + " const url = new URL(request.url).searchParams.get('url');"
        + " try { const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },"
        + "   body: JSON.stringify({ code: 'export default { fetch() { return new Response(1) } }' }) });"
        + "   return new Response('reached ' + r.status); }"
        + " catch (e) { return new Response('blocked: ' + e.message); } } }";
    String policy = "\"network\":{\"allow\":[\"public\",\"private\"]}";
    assertThat(gateway.admin("POST", "/deploy/probe-private", "{" + policy + ",\"code\":"
        + GatewayProcess.JSON.writeValueAsString(PROBE) + "}").statusCode()).as("deploy of the probe").isEqualTo(200);
    assertThat(gateway.admin("POST", "/deploy/deployer", "{" + policy + ",\"code\":"
        + GatewayProcess.JSON.writeValueAsString(deployer) + "}").statusCode()).as("deploy of the deployer").isEqualTo(200);

    for (String host : hostsOfThisMachine()) {
      String list = "http://" + host + ":" + gateway.port() + "/api/functions";
      assertThat(gateway.get("probe-private.func.local", "/?url=" + URLEncoder.encode(list, StandardCharsets.UTF_8))
          .body()).as("GET " + list + " from a function allowed public+private").startsWith("blocked:");
      String deploy = "http://" + host + ":" + gateway.port() + "/api/deploy/planted";
      assertThat(gateway.get("deployer.func.local", "/?url=" + URLEncoder.encode(deploy, StandardCharsets.UTF_8))
          .body()).as("POST " + deploy + " from a function allowed public+private").startsWith("blocked:");
    }
    assertThat(gateway.admin("GET", "/functions/planted", null).statusCode()).as("the function it tried to plant")
        .isEqualTo(404);
  }

  @Test
  void aDeployThatAllowsLoopbackIsRefused() throws Exception {
    for (String entry : new String[] {"local", "127.0.0.0/8", "::1/128", "0.0.0.0/32"}) {
      var response = gateway.admin("POST", "/deploy/wants-loopback", "{\"network\":{\"allow\":[\"" + entry
          + "\"]},\"code\":" + GatewayProcess.JSON.writeValueAsString(PROBE) + "}");

      assertThat(response.statusCode()).as("status of a deploy allowing %s: %s", entry, response.body()).isEqualTo(400);
      assertThat(GatewayProcess.JSON.readTree(response.body()).path("error").asText()).as("error")
          .contains("'" + entry + "'");
    }
    assertThat(gateway.admin("GET", "/functions/wants-loopback", null).statusCode()).as("the refused function")
        .isEqualTo(404);
  }

  @Test
  void aRequestThatHasBeenThroughTooManyFunctionsIsRefusedWith508() throws Exception {
    String echo = "export default { fetch(request) { return new Response('hops=' + request.headers.get('x-faas4j-hops')) } }";
    assertThat(gateway.admin("POST", "/deploy/hops", "{\"code\":" + GatewayProcess.JSON.writeValueAsString(echo) + "}")
        .statusCode()).as("deploy").isEqualTo(200);

    assertThat(gateway.get("hops.func.local", "/").body()).as("what the function saw").isEqualTo("hops=1");
    var refused = gateway.get("hops.func.local", "/", "X-Faas4j-Hops", "16");
    assertThat(refused.statusCode()).as("status at the default limit; body: %s", refused.body()).isEqualTo(508);
    assertThat(GatewayProcess.JSON.readTree(refused.body()).path("status").asText()).as("JSON status").isEqualTo("error");
  }
}
