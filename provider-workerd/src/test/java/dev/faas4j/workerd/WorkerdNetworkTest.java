package dev.faas4j.workerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Outbound fetches from functions on the real workerd to a server listening on every interface of
 * this machine, under every kind of policy and through every way of writing this machine's
 * address. The server counts what reaches it; the function reports what its fetch did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerdNetworkTest {

  /** Fetches the query's {@code url}: "reached STATUS BODY" or "blocked: ERROR". */
  private static final String PROBE = "export default { async fetch(request) {\n"
      + "  const url = new URL(request.url).searchParams.get('url');\n"
      + "  try { const r = await fetch(url); return new Response('reached ' + r.status + ' ' + await r.text()); }\n"
      + "  catch (e) { return new Response('blocked: ' + e); } } };\n";

  @TempDir
  static Path dataDir;

  private HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();
  private final List<WorkerdProvider> providers = new ArrayList<>();
  private WorkerdProvider guarded;
  private int deployed;

  @BeforeAll
  void start() throws Exception {
    // the wildcard address: loopback, this machine's other addresses, IPv4 and IPv6 alike
    server = HttpServer.create(new InetSocketAddress(0), 0);
    server.createContext("/", exchange -> {
      hits.incrementAndGet();
      byte[] body = "secret".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    guarded = provider(TestWorkerd.builder(dataDir.resolve("guarded")));
  }

  @AfterAll
  void stop() {
    providers.forEach(WorkerdProvider::close);
    server.stop(0);
  }

  private WorkerdProvider provider(WorkerdProviderBuilder builder) {
    WorkerdProvider provider = builder.build();
    providers.add(provider);
    return provider;
  }

  /** Every way of writing an address of this machine that we know of, as a URL host. */
  static List<String> addressesOfThisMachine() throws Exception {
    List<String> hosts = new ArrayList<>(List.of("127.0.0.1", "127.1.2.3", "localhost", "0.0.0.0", "[::1]",
        "[::ffff:127.0.0.1]", "[::ffff:0.0.0.0]", "[::]"));
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
          continue; // loopback is above; a link-local address needs a scope no URL can carry
        }
        if (address instanceof Inet4Address) {
          hosts.add(address.getHostAddress());
          hosts.add("[::ffff:" + address.getHostAddress() + "]");
        } else {
          String text = address.getHostAddress();
          hosts.add("[" + (text.indexOf('%') < 0 ? text : text.substring(0, text.indexOf('%'))) + "]");
        }
      }
    }
    return hosts;
  }

  static Stream<Arguments> policies() throws Exception {
    List<Arguments> policies = new ArrayList<>(List.of(
        Arguments.of("the default (none)", null),
        Arguments.of("public", allow("public")),
        Arguments.of("public+private", allow("public", "private")),
        Arguments.of("private", allow("private")),
        Arguments.of("network", allow("network")),
        Arguments.of("0.0.0.0/0", allow("0.0.0.0/0")),
        Arguments.of("::/0", allow("::/0")),
        Arguments.of("::ffff:0:0/96", allow("::ffff:0:0/96")),
        Arguments.of("everything at once", allow("public", "private", "network", "0.0.0.0/0", "::/0", "::ffff:0:0/96"))));
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          String ip = address.getHostAddress();
          policies.add(Arguments.of("exactly " + ip, allow(ip + "/32", "::ffff:" + ip + "/128")));
        }
      }
    }
    return policies.stream();
  }

  private static NetworkPolicy allow(String... entries) {
    return new NetworkPolicy(List.of(entries), List.of());
  }

  private FunctionSpec probe(NetworkPolicy policy) {
    return FunctionSpec.builder("probe" + deployed++).version("v1").code(PROBE).network(policy).build();
  }

  /** Has the function fetch each address; the ones it reached. */
  private List<String> reached(WorkerdProvider provider, FunctionSpec spec) throws Exception {
    List<String> reached = new ArrayList<>();
    for (String host : addressesOfThisMachine()) {
      String url = "http://" + host + ":" + server.getAddress().getPort() + "/";
      int before = hits.get();
      String answer = TestWorkerd.get(provider.endpoint(spec.ref()).orElseThrow(),
          "/?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8)).body();
      if (!answer.startsWith("blocked: ") || hits.get() != before) {
        reached.add(host + " (" + answer + ")");
      }
    }
    return reached;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void noPolicyReachesThisMachine(String name, NetworkPolicy policy) throws Exception {
    FunctionSpec spec = probe(policy);
    guarded.deploy(spec);

    assertThat(reached(guarded, spec)).as("addresses of this machine a function allowed " + name + " reached")
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "127.0.0.0/8", "127.0.0.1/32", "0.0.0.0/32", "::1/128", "::/128",
      "::ffff:127.0.0.1/128", "::ffff:0.0.0.0/104"})
  void aPolicyThatCouldOnlyReachThisMachineIsRefusedAtDeploy(String entry) {
    FunctionSpec spec = probe(allow("public", entry));

    assertThatThrownBy(() -> guarded.deploy(spec)).as("deploy allowing " + entry)
        .isInstanceOfSatisfying(FaasException.class,
            e -> assertThat(e.reason()).as("reason").isEqualTo(FaasException.Reason.INVALID_REQUEST))
        .hasMessageContaining("'" + entry + "'");
    assertThat(guarded.endpoint(spec.ref())).as("endpoint of the refused version").isEmpty();
  }

  @Test
  void everyAddressFormReachesThisMachineWhenTheProviderAllowsHostAddresses() throws Exception {
    // the control: each probe above would have got through, had the provider not stopped it
    WorkerdProvider open = provider(TestWorkerd.builder(dataDir.resolve("open")).allowHostAddresses(true));
    FunctionSpec spec = probe(allow("local", "private", "public", "network"));
    open.deploy(spec);

    assertThat(reached(open, spec)).as("addresses reached with allowHostAddresses(true) and allow=local,...")
        .hasSameSizeAs(addressesOfThisMachine());
  }

  @Test
  void aProviderDefaultThatCouldOnlyReachThisMachineIsRefusedAtBuild() {
    assertThatThrownBy(() -> provider(TestWorkerd.builder(dataDir.resolve("refused"))
        .defaultNetwork(allow("127.0.0.0/8"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultNetwork");
  }

  @Test
  void theProviderDefaultPolicyAppliesToFunctionsWithoutOne() throws Exception {
    WorkerdProvider open = provider(TestWorkerd.builder(dataDir.resolve("default")).allowHostAddresses(true)
        .defaultNetwork(allow("127.0.0.0/8")));
    FunctionSpec spec = probe(null);
    open.deploy(spec);

    assertThat(reached(open, spec)).as("addresses reached with a provider default of 127.0.0.0/8")
        .anyMatch(host -> host.startsWith("127.0.0.1 ")).noneMatch(host -> host.startsWith("[::1]"));
  }

  @Test
  void aDenyAsSpecificAsTheAllowWins() throws Exception {
    WorkerdProvider open = provider(TestWorkerd.builder(dataDir.resolve("tie")).allowHostAddresses(true));
    FunctionSpec spec = probe(new NetworkPolicy(List.of("127.0.0.0/8"), List.of("127.0.0.1/32", "127.1.2.3/8")));
    open.deploy(spec);

    assertThat(reached(open, spec)).as("addresses reached with allow 127.0.0.0/8, deny 127.0.0.1/32 and 127.1.2.3/8")
        .isEmpty();
  }
}
