package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.testing.InMemoryProvider;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin HTTP API, over real HTTP, against the contract in DESIGN.md. */
class AdminApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runtime "js" is served in-process: each version answers with its code plus env var GREETING. */
  private final InMemoryProvider provider = new InMemoryProvider(
      spec -> request -> FunctionResponse.ok(spec.code() + spec.env().getOrDefault("GREETING", "")), "js");
  private JettyHarness http;

  @BeforeEach
  void start() throws Exception {
    http = new JettyHarness(Faas.builder().provider(provider).publicPort(8081).maintenanceInterval(Duration.ZERO).build());
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
  }

  private JsonNode ok(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as("status; body: " + response.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("success");
    return body;
  }

  private JsonNode error(HttpResponse<String> response, int status) throws Exception {
    assertThat(response.statusCode()).as("status; body: " + response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("error");
    assertThat(body.path("error").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    return body;
  }

  private HttpResponse<String> deploy(String name, String json) throws Exception {
    return http.admin("POST", "/deploy/" + name, json);
  }

  private String functionsSnapshot() throws Exception {
    return ok(http.admin("GET", "/functions", null)).path("functions").toString();
  }

  @Test
  void deployAnswersWithTheGatewayContract() throws Exception {
    JsonNode body = ok(deploy("hello", "{\"runtime\":\"js\",\"code\":\"v1\",\"version\":\"v1\",\"alias\":\"test\","
        + "\"env_vars\":{\"APP_ENV\":\"production\"}}"));

    assertThat(body.path("funcName").asText()).isEqualTo("hello");
    assertThat(body.path("version").asText()).isEqualTo("v1");
    assertThat(body.path("alias").asText()).isEqualTo("test");
    assertThat(body.path("subdomain").asText()).isEqualTo("v1.hello.func.local");
    assertThat(body.path("accessUrl").asText()).isEqualTo("http://v1.hello.func.local:8081");
    assertThat(http.call("test.hello.func.local")).isEqualTo("v1");
  }

  @Test
  void aDeployWithoutAliasAnswersAnEmptyAlias() throws Exception {
    assertThat(ok(deploy("hello", "{\"code\":\"x\",\"version\":\"v1\"}")).path("alias").asText()).isEmpty();
  }

  @Test
  void envVarsReachTheFunction() throws Exception {
    ok(deploy("hello", "{\"code\":\"hi \",\"version\":\"v1\",\"env_vars\":{\"GREETING\":\"Ada\"}}"));

    assertThat(http.call("hello.func.local")).isEqualTo("hi Ada");
  }

  @Test
  void aDeployWithoutVersionGetsAUniqueSortableOne() throws Exception {
    String first = ok(deploy("hello", "{\"code\":\"a\"}")).path("version").asText();
    String second = ok(deploy("hello", "{\"code\":\"b\"}")).path("version").asText();

    assertThat(first).isNotEqualTo(second);
    assertThat(second).as("generated versions sort in deploy order").isGreaterThan(first);
    assertThat(http.call("hello.func.local")).isEqualTo("b");
    assertThat(http.call(first + ".hello.func.local")).isEqualTo("a");
  }

  @Test
  void redeployingAVersionWithTheSameCodeIsIdempotent() throws Exception {
    ok(deploy("hello", "{\"code\":\"a\",\"version\":\"v1\"}"));

    ok(deploy("hello", "{\"code\":\"a\",\"version\":\"v1\"}"));

    assertThat(ok(http.admin("GET", "/functions/hello", null)).path("function").path("versions")).hasSize(1);
  }

  @Test
  void redeployingAVersionWithOtherCodeIsAConflictAndChangesNothing() throws Exception {
    ok(deploy("hello", "{\"code\":\"a\",\"version\":\"v1\"}"));
    String before = functionsSnapshot();

    JsonNode body = error(deploy("hello", "{\"code\":\"b\",\"version\":\"v1\"}"), 409);

    assertThat(body.path("error").asText()).contains("immutable");
    assertThat(functionsSnapshot()).isEqualTo(before);
    assertThat(http.call("v1.hello.func.local")).isEqualTo("a");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "{\"runtime\":\"cobol\",\"code\":\"x\"}",
      "{\"runtime\":\"js\"}",
      "{\"code\":\"\"}",
      "{\"code\":\"x\",\"env_vars\":{\"A\":1}}",
      "{\"code\":\"x\",\"env_vars\":{\"A\":null}}",
      "{\"code\":\"x\",\"env_vars\":{\"A\":{\"b\":\"c\"}}}",
      "{\"code\":\"x\",\"env_vars\":{\"1A\":\"x\"}}",
      "{\"code\":\"x\",\"env_vars\":{\"A-B\":\"x\"}}",
      "{\"code\":\"x\",\"env_vars\":{\"A B\":\"x\"}}",
      "{\"code\":\"x\",\"env_vars\":[\"A\"]}",
      "{\"code\":\"x\",\"version\":\"v_1\"}",
      "{\"code\":\"x\",\"version\":\"-v1\"}",
      "{\"code\":\"x\",\"version\":\"a.b\"}",
      "{\"code\":\"x\",\"alias\":\"a/b\"}",
      "{\"code\":\"x\",\"code_typo\":\"y\"}",
      "{\"code\":42}",
      "{\"code\":\"x\",\"limits\":{\"memory_mb\":-1}}",
      "{\"code\":\"x\",\"scaling\":{\"max\":0}}",
      "{\"code\":\"x\",\"scaling\":{\"min\":3,\"max\":2}}",
      "{\"code\":\"x\",\"scaling\":{\"max\":65}}",
      "{\"code\":\"x\",\"scaling\":{\"target_concurrency\":0}}",
      "{\"code\":\"x\",\"scaling\":{\"max\":2.5}}",
      "{\"code\":\"x\",\"scaling\":{\"window_ms\":10}}",
      "{\"code\":\"x\",\"scaling\":{\"maximum\":2}}",
      "{\"code\":\"x\",\"scaling\":3}",
      "{\"code\":\"x\",\"network\":{\"allow\":[\"local\\\"); evil\"]}}",
      "{\"code\":\"x\"",
      "[1,2]",
      "",
      "{\"code\":\"x\",\"code\":\"y\"}"
  })
  void anInvalidDeployIsRefusedWith400AndChangesNothing(String json) throws Exception {
    ok(deploy("hello", "{\"code\":\"keep\",\"version\":\"v1\"}"));
    String before = functionsSnapshot();

    error(deploy("hello", json), 400);

    assertThat(functionsSnapshot()).isEqualTo(before);
    assertThat(http.call("hello.func.local")).isEqualTo("keep");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"under_score", "-dash", "dash-", "dots.in.name", "a%20b", "%C3%A9t%C3%A9", "x234567890123456789012345678901234567890123456789012345678901234"})
  void anInvalidFunctionNameIsRefusedWith400(String name) throws Exception {
    error(deploy(name, "{\"code\":\"x\"}"), 400);

    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void rollbackAnswersWithTheGatewayContractAndMovesLatest() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\"}"));

    JsonNode body = ok(http.admin("POST", "/rollback/hello", "{\"version\":\"v1\"}"));

    assertThat(body.path("funcName").asText()).isEqualTo("hello");
    assertThat(body.path("targetVersion").asText()).isEqualTo("v1");
    assertThat(body.path("alias").asText()).isEmpty();
    assertThat(body.path("accessUrl").asText()).isEqualTo("http://v1.hello.func.local:8081");
    assertThat(http.call("hello.func.local")).isEqualTo("one");
  }

  @Test
  void rollbackToAnUnknownVersionIs404() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));

    error(http.admin("POST", "/rollback/hello", "{\"version\":\"v7\"}"), 404);
    error(http.admin("POST", "/rollback/nobody", "{\"version\":\"v1\"}"), 404);
    error(http.admin("POST", "/rollback/hello", "{}"), 400);
  }

  @Test
  void showListsEveryVersionWithItsStateAliasesAndLatest() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\",\"alias\":\"test\"}"));
    ok(http.admin("POST", "/functions/hello/versions/v1/stop", null));

    JsonNode function = ok(http.admin("GET", "/functions/hello", null)).path("function");

    assertThat(function.path("name").asText()).isEqualTo("hello");
    assertThat(function.path("latest").asText()).isEqualTo("v2");
    assertThat(function.path("aliases").path("test").asText()).isEqualTo("v2");
    assertThat(function.path("versions").get(0).path("version").asText()).isEqualTo("v1");
    assertThat(function.path("versions").get(0).path("state").asText()).isEqualTo("stopped");
    assertThat(function.path("versions").get(1).path("state").asText()).isEqualTo("running");
    assertThat(function.path("versions").get(1).path("latest").asBoolean()).isTrue();
    assertThat(function.path("versions").get(1).path("aliases").get(0).asText()).isEqualTo("test");
  }

  @Test
  void aVersionShowsItsScalingAsDeployedWithDefaultsFilledIn() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\","
        + "\"scaling\":{\"min\":1,\"max\":3,\"target_concurrency\":4,\"scale_down_delay_ms\":2000}}"));

    JsonNode versions = ok(http.admin("GET", "/functions/hello", null)).path("function").path("versions");

    assertThat(versions.get(0).path("scaling").toString()).as("the default: one replica, none kept warm")
        .isEqualTo("{\"min\":0,\"max\":1,\"target_concurrency\":10,\"window_ms\":60000,"
            + "\"scale_down_delay_ms\":30000}");
    assertThat(versions.get(0).path("replicas").asInt()).as("v1 still runs since its deploy").isEqualTo(1);
    assertThat(versions.get(1).path("scaling").toString())
        .isEqualTo("{\"min\":1,\"max\":3,\"target_concurrency\":4,\"window_ms\":60000,"
            + "\"scale_down_delay_ms\":2000}");
    assertThat(versions.get(1).path("replicas").asInt()).isEqualTo(1);
    error(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\",\"scaling\":{\"max\":2}}"), 409);
  }

  @Test
  void listShowsEveryFunction() throws Exception {
    ok(deploy("beta", "{\"code\":\"b\",\"version\":\"v1\"}"));
    ok(deploy("alpha", "{\"code\":\"a\",\"version\":\"v1\"}"));

    JsonNode functions = ok(http.admin("GET", "/functions", null)).path("functions");

    assertThat(functions).extracting(f -> f.path("name").asText()).containsExactly("alpha", "beta");
  }

  @Test
  void anAliasCanBeCreatedMovedAndRemoved() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\"}"));

    ok(http.admin("PUT", "/functions/hello/aliases/stable", "{\"version\":\"v1\"}"));
    assertThat(http.call("stable.hello.func.local")).isEqualTo("one");

    ok(http.admin("PUT", "/functions/hello/aliases/stable", "{\"version\":\"v2\"}"));
    assertThat(http.call("stable.hello.func.local")).isEqualTo("two");

    ok(http.admin("DELETE", "/functions/hello/aliases/stable", null));
    assertThat(http.get("stable.hello.func.local", "/").statusCode()).isEqualTo(404);
  }

  @Test
  void anAliasCanSplitItsTrafficByWeightAndShowsItsWeights() throws Exception {
    deployTwoVersions();

    JsonNode set = ok(http.admin("PUT", "/functions/hello/aliases/prod", "{\"weights\":{\"v2\":10,\"v1\":90}}"));

    assertThat(set.path("alias").asText()).isEqualTo("prod");
    assertThat(set.path("version").asText()).as("the primary version").isEqualTo("v1");
    assertThat(set.path("weights").toString()).isEqualTo("{\"v1\":90,\"v2\":10}");
    JsonNode function = ok(http.admin("GET", "/functions/hello", null)).path("function");
    assertThat(function.path("weights").toString()).isEqualTo("{\"prod\":{\"v1\":90,\"v2\":10}}");
    assertThat(function.path("aliases").path("prod").asText()).isEqualTo("v1");
    assertThat(functionsSnapshot()).contains("\"weights\":{\"prod\":{\"v1\":90,\"v2\":10}}");

    ok(http.admin("PUT", "/functions/hello/aliases/prod", "{\"weights\":{\"v1\":0,\"v2\":100}}"));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> answer = http.get("prod.hello.func.local", "/");
      assertThat(answer.body()).as("0/100").isEqualTo("two");
      assertThat(answer.headers().firstValue("X-Faas4j-Version")).contains("v2");
    }
  }

  @Test
  void badWeightsAreRefusedAndChangeNothing() throws Exception {
    deployTwoVersions();
    ok(http.admin("PUT", "/functions/hello/aliases/prod", "{\"weights\":{\"v1\":90,\"v2\":10}}"));
    String before = functionsSnapshot();

    for (String bad : List.of("{\"weights\":{\"v1\":0,\"v2\":0}}", "{\"weights\":{\"v1\":-5,\"v2\":10}}",
        "{\"weights\":{\"v1\":1.5}}", "{\"weights\":{\"v1\":\"90\"}}", "{\"weights\":{}}", "{\"weights\":[1]}",
        "{\"weights\":{\"v1\":1},\"version\":\"v1\"}", "{\"weights\":{\"v1\":99999999999}}",
        "{\"weights\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"v1\":1}}", "{\"weights\":{\"not a label\":1}}")) {
      error(http.admin("PUT", "/functions/hello/aliases/prod", bad), 400);
    }
    error(http.admin("PUT", "/functions/hello/aliases/prod", "{\"weights\":{\"v1\":50,\"v9\":50}}"), 404);
    error(http.admin("PUT", "/functions/nope/aliases/prod", "{\"weights\":{\"v1\":50}}"), 404);

    assertThat(functionsSnapshot()).as("functions after the refusals").isEqualTo(before);
  }

  @Test
  void anAliasMayNotHaveTheNameOfAVersion() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\"}"));

    error(http.admin("PUT", "/functions/hello/aliases/v1", "{\"version\":\"v2\"}"), 409);
    error(deploy("hello", "{\"code\":\"three\",\"version\":\"v3\",\"alias\":\"v1\"}"), 409);
    ok(http.admin("PUT", "/functions/hello/aliases/test", "{\"version\":\"v2\"}"));
    error(deploy("hello", "{\"code\":\"four\",\"version\":\"test\"}"), 409);
  }

  @Test
  void aVersionInUseIsDeletedOnlyWhenForced() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\",\"alias\":\"test\"}"));

    error(http.admin("DELETE", "/functions/hello/versions/v2", null), 409);
    ok(http.admin("DELETE", "/functions/hello/versions/v1", null));
    assertThat(http.get("v1.hello.func.local", "/").statusCode()).isEqualTo(404);

    ok(deploy("hello", "{\"code\":\"three\",\"version\":\"v3\"}"));
    ok(http.admin("DELETE", "/functions/hello/versions/v3?force=true", null));
    JsonNode function = ok(http.admin("GET", "/functions/hello", null)).path("function");
    assertThat(function.path("latest").asText()).as("latest moved to the newest remaining").isEqualTo("v2");
  }

  @Test
  void deletingAFunctionRemovesEveryVersion() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\"}"));

    ok(http.admin("DELETE", "/functions/hello", null));

    error(http.admin("GET", "/functions/hello", null), 404);
    assertThat(http.get("hello.func.local", "/").statusCode()).isEqualTo(404);
    assertThat(provider.isRunning(new dev.faas4j.api.FunctionRef("hello", "v2"))).isFalse();
    error(http.admin("DELETE", "/functions/hello", null), 404);
  }

  @Test
  void logsOfAProviderWithoutLogsAre501() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));

    error(http.admin("GET", "/functions/hello/versions/v1/logs", null), 501);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"})
  void anUnknownPathIs404WhateverTheMethod(String method) throws Exception {
    for (String path : new String[] {"/nothing/here", "/functions/hello/versions", "/functions/hello/versions/v1/restart",
        "/Functions", "/", ""}) {
      HttpResponse<String> response = http.admin(method, path, null);
      assertThat(response.statusCode()).as(method + " /api" + path + "; body: " + response.body()).isEqualTo(404);
      assertThat(response.headers().firstValue("Allow")).as("Allow of an unknown path").isEmpty();
      if (!method.equals("HEAD")) {
        error(response, 404);
      }
    }
  }

  /** The admin API as documented: each route (a concrete path), the body its writes take, and its methods' statuses. */
  private record Route(String path, String body, Map<String, Integer> statuses) {
    /** The Allow header this route must answer with. */
    Set<String> allow() {
      Set<String> allow = new TreeSet<>(statuses.keySet());
      if (allow.contains("GET")) {
        allow.add("HEAD");
      }
      allow.add("OPTIONS");
      return allow;
    }

    /** The route's pattern as the servlet names it: /api plus the path with variables. */
    String pattern() {
      return "/api" + path.replace("/hello", "/{name}").replace("/v1", "/{version}").replace("/test", "/{alias}")
          .replace("/TOKEN", "/{key}").replace("/some-call", "/{id}");
    }

    @Override
    public String toString() {
      return "/api" + path;
    }
  }

  /** Every route of the README's admin table; expected statuses hold after {@link #deployTwoVersions()}. */
  private static final List<Route> ROUTES = List.of(
      new Route("/deploy/hello", "{\"code\":\"three\",\"version\":\"v3\"}", Map.of("POST", 200)),
      new Route("/rollback/hello", "{\"version\":\"v1\"}", Map.of("POST", 200)),
      new Route("/functions", null, Map.of("GET", 200)),
      new Route("/functions/hello", null, Map.of("GET", 200, "DELETE", 200)),
      new Route("/functions/hello/versions/v1", null, Map.of("GET", 200, "DELETE", 200)),
      new Route("/functions/hello/versions/v1/stop", null, Map.of("POST", 200)),
      new Route("/functions/hello/versions/v1/logs", null, Map.of("GET", 501)),
      new Route("/functions/hello/logs", null, Map.of("GET", 501)),
      new Route("/functions/hello/aliases/test", "{\"version\":\"v1\"}", Map.of("PUT", 200, "DELETE", 200)),
      new Route("/nodes", null, Map.of("GET", 200)),
      new Route("/functions/hello/secrets", null, Map.of("GET", 200)),
      // without a body a PUT is 400 (the value is the body); there is no secret to delete
      new Route("/functions/hello/secrets/TOKEN", null, Map.of("PUT", 400, "DELETE", 404)),
      new Route("/calls/some-call", null, Map.of("GET", 404)),
      new Route("/functions/hello/invoke", "{\"method\":\"GET\",\"path\":\"/\"}", Map.of("POST", 200)));

  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE");

  static Stream<Arguments> everyRouteAndMethod() {
    return ROUTES.stream().flatMap(route -> METHODS.stream().map(method -> Arguments.of(method, route)));
  }

  private void deployTwoVersions() throws Exception {
    ok(deploy("hello", "{\"code\":\"one\",\"version\":\"v1\"}"));
    ok(deploy("hello", "{\"code\":\"two\",\"version\":\"v2\",\"alias\":\"test\"}"));
  }

  /** The methods of the Allow header, none if there is none. */
  private static Set<String> allowOf(HttpResponse<String> response) {
    String allow = response.headers().firstValue("Allow").orElse("");
    return allow.isEmpty() ? Set.of() : new TreeSet<>(List.of(allow.split(",\\s*")));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("everyRouteAndMethod")
  void everyRouteAnswersEveryMethodAsDocumented(String method, Route route) throws Exception {
    deployTwoVersions();
    String before = functionsSnapshot();
    boolean sendsBody = Set.of("POST", "PUT", "PATCH", "DELETE").contains(method);
    String what = method + " /api" + route.path();

    HttpResponse<String> response = http.admin(method, route.path(), sendsBody ? route.body() : null);

    if (method.equals("OPTIONS")) {
      assertThat(response.statusCode()).as(what + "; body: " + response.body()).isEqualTo(204);
      assertThat(response.body()).as("body of " + what).isEmpty();
      assertThat(allowOf(response)).as("Allow of " + what).isEqualTo(route.allow());
      assertThat(functionsSnapshot()).as("functions after " + what).isEqualTo(before);
    } else if (route.statuses().containsKey(method) || method.equals("HEAD") && route.statuses().containsKey("GET")) {
      int expected = route.statuses().get(method.equals("HEAD") ? "GET" : method);
      assertThat(response.statusCode()).as(what + "; body: " + response.body()).isEqualTo(expected);
      if (method.equals("HEAD")) {
        assertThat(response.body()).as("body of " + what).isEmpty();
      }
    } else {
      assertThat(response.statusCode()).as(what + "; body: " + response.body()).isEqualTo(405);
      assertThat(allowOf(response)).as("Allow of " + what).isEqualTo(route.allow());
      if (!method.equals("HEAD")) {
        assertThat(error(response, 405).path("error").asText()).as("message of " + what)
            .contains(route.allow()).contains(method);
      }
      assertThat(functionsSnapshot()).as("functions after " + what).isEqualTo(before);
      assertThat(http.call("hello.func.local")).as("latest after " + what).isEqualTo("two");
    }
  }

  @Test
  void theServletsRouteTableIsTheDocumentedOne() {
    Map<String, Set<String>> documented = new TreeMap<>();
    for (Route route : ROUTES) {
      documented.put(route.pattern(), route.allow());
    }
    Map<String, Set<String>> served = new TreeMap<>();
    FaasAdminServlet.allowedMethods().forEach((pattern, methods) -> served.put(pattern, new TreeSet<>(methods)));

    assertThat(served).as("routes and methods of FaasAdminServlet (add a new route to ROUTES here and to the README)")
        .isEqualTo(documented);
  }

  @Test
  void headAnswersTheHeadersOfGetAndNoBody() throws Exception {
    deployTwoVersions();
    HttpResponse<String> get = http.admin("GET", "/functions/hello", null);

    String head;
    try (Socket socket = new Socket("127.0.0.1", http.port())) {
      socket.getOutputStream().write(("HEAD /api/functions/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      head = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    assertThat(head).as("answer to HEAD").startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n")
        .containsIgnoringCase("Content-Type: application/json")
        .containsIgnoringCase("Content-Length: " + get.body().getBytes(StandardCharsets.UTF_8).length + "\r\n");
  }

  @Test
  void withoutCredentialsAWrongMethodOrAnUnknownPathLearnsNoMoreThanARightMethod() throws Exception {
    http.close();
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).build(),
        AdminAuthenticator.bearerToken("s3cret"));
    HttpResponse<String> right = http.admin("POST", "/deploy/hello", "{\"code\":\"one\"}");

    for (String[] request : new String[][] {{"GET", "/deploy/hello"}, {"PUT", "/deploy/hello"}, {"OPTIONS", "/deploy/hello"},
        {"DELETE", "/functions"}, {"POST", "/nothing/here"}, {"OPTIONS", "/nothing/here"}}) {
      String what = request[0] + " /api" + request[1] + " without credentials";
      HttpResponse<String> wrong = http.admin(request[0], request[1], request[0].equals("OPTIONS") ? null : "{\"code\":\"one\"}");

      assertThat(wrong.statusCode()).as(what).isEqualTo(401);
      assertThat(wrong.body()).as("body of " + what).isEqualTo(right.body());
      assertThat(wrong.headers().firstValue("WWW-Authenticate")).as("challenge of " + what)
          .isEqualTo(right.headers().firstValue("WWW-Authenticate"));
      assertThat(wrong.headers().firstValue("Allow")).as("Allow of " + what).isEmpty();
    }
    assertThat(functionsSnapshotWith("Bearer s3cret")).isEqualTo("[]");
  }

  @Test
  void withCredentialsAWrongMethodIs405AndOptionsIs204() throws Exception {
    http.close();
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).build(),
        AdminAuthenticator.bearerToken("s3cret"));

    HttpResponse<String> wrong = http.admin("GET", "/deploy/hello", null, "Authorization", "Bearer s3cret");
    HttpResponse<String> options = http.admin("OPTIONS", "/deploy/hello", null, "Authorization", "Bearer s3cret");

    error(wrong, 405);
    assertThat(wrong.headers().firstValue("Allow")).as("Allow of GET /api/deploy/hello").hasValue("POST, OPTIONS");
    assertThat(options.statusCode()).as("OPTIONS /api/deploy/hello with the token").isEqualTo(204);
    assertThat(options.headers().firstValue("Allow")).as("Allow of OPTIONS /api/deploy/hello").hasValue("POST, OPTIONS");
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    http.close();
    Faas faas = Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).maxCodeBytes(1000).build();
    http = new JettyHarness(faas);

    error(deploy("hello", "{\"code\":\"" + "x".repeat(2000) + "\"}"), 413);
    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void aPathParameterInAnAdminPathIsRefusedInsteadOfDropped() throws Exception {
    error(deploy("a;b", "{\"code\":\"x\"}"), 400);
    assertThat(functionsSnapshot()).as("no function 'a' deployed from /deploy/a;b").isEqualTo("[]");
  }

  @Test
  void anEnvKeyWithTheReservedPrefixIsRefused() throws Exception {
    assertThat(error(deploy("hello", "{\"code\":\"x\",\"env_vars\":{\"Faas4j_Token\":\"x\"}}"), 400)
        .path("error").asText()).as("message").contains("reserved");
    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void tooManyEnvVarsAre413() throws Exception {
    StringBuilder env = new StringBuilder();
    for (int i = 0; i <= dev.faas4j.api.Validation.MAX_ENV_VARS; i++) {
      env.append(i == 0 ? "" : ",").append("\"V").append(i).append("\":\"x\"");
    }
    error(deploy("hello", "{\"code\":\"x\",\"env_vars\":{" + env + "}}"), 413);
    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void anEnvValueOverTheLimitIs413AndOneAtTheLimitIsAccepted() throws Exception {
    String atLimit = "\u00e9".repeat(dev.faas4j.api.Validation.MAX_ENV_VALUE_BYTES / 2);
    error(deploy("hello", "{\"code\":\"x\",\"env_vars\":{\"BIG\":\"" + atLimit + "a\"}}"), 413);
    assertThat(functionsSnapshot()).isEqualTo("[]");
    ok(deploy("hello", "{\"code\":\"x\",\"env_vars\":{\"BIG\":\"" + atLimit + "\"}}"));
  }

  @Test
  void envValuesOverTheTotalLimitAre413() throws Exception {
    StringBuilder env = new StringBuilder();
    String value = "x".repeat(dev.faas4j.api.Validation.MAX_ENV_VALUE_BYTES);
    int count = dev.faas4j.api.Validation.MAX_ENV_TOTAL_BYTES / value.length() + 1;
    for (int i = 0; i < count; i++) {
      env.append(i == 0 ? "" : ",").append("\"V").append(i).append("\":\"").append(value).append('"');
    }
    error(deploy("hello", "{\"code\":\"x\",\"env_vars\":{" + env + "}}"), 413);
    assertThat(functionsSnapshot()).isEqualTo("[]");
  }

  @Test
  void aBearerTokenGuardsTheAdminApiButNotFunctionTraffic() throws Exception {
    http.close();
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).build(),
        AdminAuthenticator.bearerToken("s3cret"));

    HttpResponse<String> missing = http.admin("POST", "/deploy/hello", "{\"code\":\"one\"}");
    error(missing, 401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    error(http.admin("POST", "/deploy/hello", "{\"code\":\"one\"}", "Authorization", "Bearer wrong"), 401);
    assertThat(functionsSnapshotWith("Bearer s3cret")).isEqualTo("[]");

    ok(http.admin("POST", "/deploy/hello", "{\"code\":\"one\"}", "Authorization", "Bearer s3cret"));
    assertThat(http.call("hello.func.local")).as("function traffic needs no token").isEqualTo("one");
  }

  @Test
  void basicAuthGuardsTheAdminApiWithABasicChallenge() throws Exception {
    http.close();
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).build(),
        AdminAuthenticator.basic("ada", "pa:ss"));
    String good = "Basic " + java.util.Base64.getEncoder().encodeToString("ada:pa:ss".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("ada:pass".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    HttpResponse<String> missing = http.admin("GET", "/functions", null);
    error(missing, 401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).as("challenge of a basic-auth 401")
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
    error(http.admin("GET", "/functions", null, "Authorization", wrong), 401);
    assertThat(functionsSnapshotWith(good)).as("functions with the right password").isEqualTo("[]");
  }

  @Test
  void anyOfAcceptsEitherCredentialAndChallengesWithBoth() throws Exception {
    http.close();
    http = new JettyHarness(Faas.builder().provider(provider).maintenanceInterval(Duration.ZERO).build(),
        AdminAuthenticator.anyOf(java.util.List.of(AdminAuthenticator.bearerToken("s3cret"), AdminAuthenticator.basic("ada", "pw"))));
    String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("ada:pw".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    HttpResponse<String> missing = http.admin("GET", "/functions", null, "Authorization", "Bearer nope");
    error(missing, 401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).as("challenge lists both schemes")
        .hasValueSatisfying(v -> assertThat(v).contains("Bearer realm=", "Basic realm="));
    assertThat(functionsSnapshotWith("Bearer s3cret")).as("with the token").isEqualTo("[]");
    assertThat(functionsSnapshotWith(basic)).as("with the password").isEqualTo("[]");
  }

  private String functionsSnapshotWith(String authorization) throws Exception {
    return ok(http.admin("GET", "/functions", null, "Authorization", authorization)).path("functions").toString();
  }
}
