/**
 * The faas4j engine's public API: {@link dev.faas4j.core.Faas} (versions, aliases, rollback,
 * routing, idle suspension) and its builder {@link dev.faas4j.core.FaasBuilder}, {@link dev.faas4j.core.FaasFilter} and
 * {@link dev.faas4j.core.FaasHandler} for function traffic, {@link dev.faas4j.core.FaasAdminServlet}
 * for the admin API, and the values they report. Each of these only delegates to the
 * implementation in {@code dev.faas4j.core.internal}, which may change without notice; in-memory
 * parts for tests are in {@link dev.faas4j.core.testing}.
 *
 * <h2>Reading the code</h2>
 *
 * <p>A function request, top-down: {@code FaasFilter} or {@code FaasHandler} →
 * {@code internal.routing} ({@code Router} names the function, {@code FunctionTraffic} resolves
 * the version from the control plane's {@code Registry}) → {@code internal.runtime}
 * ({@code Instances} leases a ready instance, starting it once however many requests wait) →
 * {@code internal.proxy} ({@code ReverseProxy} streams the exchange) → the upstream HTTP client.
 *
 * <p>A change, top-down: {@code FaasAdminServlet} → {@code internal.admin} ({@code AdminApi}
 * finds the route, {@code RequestBodies} reads the JSON) → {@code internal.control}
 * ({@code FunctionService}, {@code Deployer}; the {@code Registry} commits to the store with
 * revision retries) → then {@code internal.runtime} makes the instances follow. {@code Faas}
 * calls the same {@code FunctionService}; {@code internal.engine} builds every part from the
 * builder's settings, in order, and closes them in reverse.
 *
 * <p>Beside them: {@code internal.secrets} (secrets sealed for the store, added to the env of what
 * providers deploy) and {@code internal.async} (asynchronous invocations: accepted by the filter or
 * handler before routing, stored, run later through {@code routing.Invoker}).
 *
 * <p>Arrows only point down (no package cycle); {@code LayeringTest} checks it.
 */
package dev.faas4j.core;
