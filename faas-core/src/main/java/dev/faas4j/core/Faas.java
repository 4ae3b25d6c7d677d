package dev.faas4j.core;

import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.core.internal.async.AsyncCalls;
import dev.faas4j.core.internal.control.Deployed;
import dev.faas4j.core.internal.control.FunctionService;
import dev.faas4j.core.internal.control.FunctionView;
import dev.faas4j.core.internal.control.VersionView;
import dev.faas4j.core.internal.engine.Engine;
import dev.faas4j.core.internal.engine.Settings;
import dev.faas4j.core.internal.routing.FunctionTraffic;
import dev.faas4j.core.internal.secrets.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An embedded functions-as-a-service platform: the one entry point of faas4j.
 *
 * <p>Build one with {@link #builder()}, giving it at least one {@link FunctionProvider}; mount
 * {@link FaasFilter} (function traffic) and {@link FaasAdminServlet} (the admin API) in a servlet
 * container, or call the methods below directly. Every version ever deployed is kept until it is
 * deleted; versions are immutable; the latest version and aliases are pointers that move.
 *
 * <pre>{@code
 * Faas faas = Faas.builder()
 *     .provider(WorkerdProvider.builder().dataDir(dir).build())
 *     .store(JdbcFunctionStore.sqlite(dir.resolve("faas.db")))
 *     .domain("func.local")
 *     .build();
 * faas.deploy(FunctionSpec.builder("hello").version("v1").code(script).build(), "test");
 * }</pre>
 *
 * <p>Thread-safe. Changes to one function are serialised; changes to different functions run in
 * parallel. Every method that changes state commits to the store before it returns, and changes
 * nothing when it throws. Failures are {@link FaasException}s whose {@link FaasException#reason()}
 * maps to an HTTP status. {@link #close()} stops every instance and closes the providers and the
 * store it was given.
 */
public final class Faas implements AutoCloseable {

  private final Engine engine;
  private final FunctionService functions;
  private final String domain;

  /** Built by {@link FaasBuilder#build()}. */
  Faas(Settings settings) {
    this.engine = new Engine(settings);
    this.functions = engine.functions();
    this.domain = settings.domain;
  }

  /** Starts a builder. */
  public static FaasBuilder builder() {
    return new FaasBuilder();
  }

  // ---------------------------------------------------------------------------------------------
  // Changes

  /** A fresh version name: unique in this JVM, sortable in deploy order, a DNS label. */
  public String newVersion() {
    return functions.newVersion();
  }

  /**
   * Deploys a version and makes it the latest once it is ready; the previous latest serves until
   * then. Deploying a version that exists with an equal definition is idempotent (it becomes the
   * latest again and gets the alias); with a different definition it is a conflict.
   *
   * @param spec the version; its runtime must be served by a configured provider
   * @param alias an alias to point at the version, or null/empty for none
   * @throws FaasException INVALID_REQUEST (bad input), CONFLICT (version exists with other code, or
   *     a name clash between an alias and a version), INVALID_FUNCTION (the provider refused the
   *     code or image, or it did not start), PAYLOAD_TOO_LARGE (code over the limit), UNAVAILABLE
   *     (the store is down)
   */
  public Deployment deploy(FunctionSpec spec, String alias) {
    return deployment(functions.deploy(spec, alias));
  }

  /**
   * Points the latest pointer at a kept version (and optionally an alias too), starting it first
   * when the latest is kept warm.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version
   */
  public Deployment rollback(String name, String version, String alias) {
    return deployment(functions.rollback(name, version, alias));
  }

  /**
   * Creates an alias or moves it to another version.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version, CONFLICT if the alias has
   *     the name of a version
   */
  public Deployment setAlias(String name, String alias, String version) {
    return deployment(functions.setAlias(name, alias, version));
  }

  /**
   * Creates an alias, or changes one, that splits its traffic among versions by weight: with
   * {@code Map.of("v1", 90, "v2", 10)} nine requests in ten to the alias go to v1. A request with a
   * sticky key (see {@link FaasBuilder#stickyHeader}) stays on one version while the weights stay the
   * same. Versions with weight above 0 are started first and kept warm when the latest is. Setting
   * the alias to one version with {@link #setAlias} ends the split. The bare host (the latest) is
   * never split.
   *
   * @param weights version to weight: whole numbers from 0 to 1,000,000, at most 5
   *     versions ({@link dev.faas4j.api.TrafficSplit}), adding up to more than 0
   * @return the alias with its weights, sorted by version name
   * @throws FaasException INVALID_REQUEST for bad weights, NOT_FOUND for an unknown function or
   *     version, CONFLICT if the alias has the name of a version
   */
  public Map<String, Integer> setWeights(String name, String alias, Map<String, Integer> weights) {
    return functions.setWeights(name, alias, weights).split().weights();
  }

  /** Removes an alias. @throws FaasException NOT_FOUND if there is no such alias */
  public void removeAlias(String name, String alias) {
    functions.removeAlias(name, alias);
  }

  /**
   * Stops a version's instances. It stays deployed: the next request to it starts it again.
   *
   * @throws FaasException NOT_FOUND for an unknown function or version
   */
  public void stop(String name, String version) {
    functions.stop(name, version);
  }

  /**
   * Deletes one version. A version the latest pointer or an alias points at is refused unless
   * {@code force}; forced, its aliases go with it and the latest moves to the newest remaining
   * version. Deleting the only version deletes the function.
   *
   * @throws FaasException NOT_FOUND, or CONFLICT when the version is in use and not forced
   */
  public void deleteVersion(String name, String version, boolean force) {
    functions.deleteVersion(name, version, force);
  }

  /** Deletes a function with every version and alias. @throws FaasException NOT_FOUND */
  public void deleteFunction(String name) {
    functions.deleteFunction(name);
  }

  /**
   * Creates or replaces a secret of a function (deployed or not): a value it reads like an env var
   * (a secret wins over an env var of the same name), stored encrypted and never shown back. The
   * function's running versions get the new value without a redeploy: on a provider that can (see
   * {@link dev.faas4j.api.EnvUpdates}), a fresh instance takes over once ready and the old one drains.
   *
   * @return the versions running here that now see the value
   * @throws FaasException INVALID_REQUEST (bad name or empty value), CONFLICT (no secret key: see
   *     {@link FaasBuilder#secretKey}), NOT_SUPPORTED (the store keeps no secrets), UNAVAILABLE
   */
  public List<String> setSecret(String name, String key, String value) {
    engine.lifecycle().checkOpen();
    return engine.secrets().put(name, key, value);
  }

  /** Deletes a secret; running versions lose it as {@link #setSecret} describes. @throws FaasException NOT_FOUND */
  public List<String> deleteSecret(String name, String key) {
    engine.lifecycle().checkOpen();
    return engine.secrets().delete(name, key);
  }

  /** The names of a function's secrets, sorted; never their values. */
  public List<String> secretNames(String name) {
    return engine.secrets().names(name);
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  /**
   * Calls a function from this JVM, without HTTP: the request takes the same path as function
   * traffic (a sleeping version is started, the hop count, body limit and timeouts apply) and the
   * function's whole answer is returned, whatever its status. Blocks until the answer is complete.
   * The function sees the request as coming from 127.0.0.1, with {@code Host} set to its own host
   * ({@code v1.hello.func.local}) unless the request has one.
   *
   * <pre>{@code
   * FunctionResponse answer = faas.invoke("hello", "v1", FunctionRequest.get("/greet?name=Ada"));
   * }</pre>
   *
   * @param name the function
   * @param versionOrAlias a version or alias; null or empty for the latest version
   * @throws FaasException INVALID_REQUEST (a name that is not a DNS label), NOT_FOUND (unknown
   *     function, version or alias), LOOP_DETECTED (too many hops), PAYLOAD_TOO_LARGE,
   *     TOO_MANY_REQUESTS (a concurrency limit and its line are full), UNAVAILABLE (cannot start,
   *     shut down), UPSTREAM_ERROR, UPSTREAM_TIMEOUT
   */
  public FunctionResponse invoke(String name, String versionOrAlias, FunctionRequest request) {
    return engine.invoker().invoke(name, versionOrAlias, request);
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** Every function, sorted by name. */
  public List<FunctionInfo> list() {
    return functions.queries().list().stream().map(Faas::info).toList();
  }

  /** One function with the state of each version. @throws FaasException NOT_FOUND */
  public FunctionInfo describe(String name) {
    return info(functions.queries().describe(name));
  }

  /**
   * The recent output of a version's instances, if its provider keeps logs.
   *
   * @throws FaasException NOT_FOUND for an unknown version, NOT_SUPPORTED if the provider has no logs
   */
  public List<String> logs(String name, String version, int maxLines) {
    return functions.queries().logs(name, version, maxLines);
  }

  /**
   * Runs one maintenance pass now: freezes (where the provider can) or suspends versions idle for
   * longer than the idle timeout (the latest versions excepted when they are kept warm, and versions
   * whose {@code scaling.min} keeps replicas), terminates frozen versions past the frozen timeout or
   * over the memory budget, scales autoscaled versions, and notices instances that exited on their
   * own. The builder's {@code maintenanceInterval} runs this periodically.
   *
   * @return the versions frozen or suspended by this pass
   */
  public List<FunctionRef> suspendIdle() {
    return engine.maintenance().runOnce();
  }

  /**
   * Applies now every change other nodes committed to the shared store; the builder's
   * {@code syncInterval} does this in the background.
   *
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  void syncWithStore() {
    engine.follower().sync();
  }

  /**
   * The nodes sharing this node's store that wrote a heartbeat within the builder's
   * {@code nodeExpiry}, sorted by id; this node alone if the store keeps no nodes.
   *
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  public List<NodeInfo> nodes() {
    return functions.queries().nodes();
  }

  /** Writes this node's heartbeat now; the builder's {@code heartbeatInterval} does it in the background. */
  void heartbeatNow() {
    engine.heartbeat().beat();
  }

  /** The domain function hosts live under. */
  public String domain() {
    return domain;
  }

  // ---------------------------------------------------------------------------------------------
  // For FaasFilter, FaasHandler and FaasAdminServlet

  /** The request path: routing, then instances, then the proxy. */
  FunctionTraffic traffic() {
    return engine.traffic();
  }

  /** The control plane, for the admin API. */
  FunctionService functions() {
    return functions;
  }

  /** Asynchronous invocations, for FaasFilter, FaasHandler and the admin API. */
  AsyncCalls async() {
    return engine.async();
  }

  /**
   * An asynchronous invocation accepted by any node sharing the store, with its state, attempts
   * and, once it ran, the function's answer.
   *
   * @throws FaasException NOT_FOUND for an unknown call (finished calls are kept a day)
   */
  public AsyncCall asyncCall(String id) {
    return engine.async().find(id);
  }

  /** The secrets, for the admin API. */
  Secrets secrets() {
    return engine.secrets();
  }

  private static Deployment deployment(Deployed d) {
    return new Deployment(d.name(), d.version(), d.alias(), d.subdomain(), d.accessUrl(), d.pathUrl());
  }

  private static FunctionInfo info(FunctionView view) {
    List<VersionInfo> versions = new ArrayList<>();
    for (VersionView v : view.versions()) {
      versions.add(new VersionInfo(v.version().version(), v.version().spec().runtime(), v.version().createdAt(),
          v.latest(), v.aliases(), v.status().state(), v.status().detail(), v.activeRequests(), v.subdomain(),
          v.accessUrl()));
    }
    FunctionState state = view.state();
    Map<String, Map<String, Integer>> weights = new java.util.TreeMap<>();
    state.splits().forEach((alias, split) -> weights.put(alias, split.weights()));
    return new FunctionInfo(state.name(), state.latest(), state.aliases(), state.revision(), versions,
        java.util.Collections.unmodifiableMap(weights));
  }

  /**
   * Stops every instance, then closes the proxy, the providers and the store. Idempotent.
   */
  @Override
  public void close() {
    engine.close();
  }
}
