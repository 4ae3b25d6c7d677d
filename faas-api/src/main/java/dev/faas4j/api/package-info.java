/**
 * The faas4j service-provider interface and value types.
 *
 * <p>This package has no dependency outside the JDK. It defines:
 * <ul>
 *   <li>{@link dev.faas4j.api.FunctionProvider}: a backend that runs function versions
 *       (workerd processes, Docker containers, in-process handlers), with optional
 *       capabilities such as {@link dev.faas4j.api.FunctionLogs};</li>
 *   <li>{@link dev.faas4j.api.FunctionStore}: durable state of functions, written with
 *       optimistic concurrency on a per-function revision, and its change feed
 *       ({@link dev.faas4j.api.Change}, {@link dev.faas4j.api.ChangeBatch},
 *       {@link dev.faas4j.api.ChangeListener}) through which several nodes sharing a store keep up
 *       with each other;</li>
 *   <li>{@link dev.faas4j.api.NodeRegistry}: an optional capability of a store, the directory of
 *       live nodes ({@link dev.faas4j.api.NodeInfo}) kept by heartbeats;</li>
 *   <li>immutable value types ({@link dev.faas4j.api.FunctionSpec},
 *       {@link dev.faas4j.api.FunctionRef}, {@link dev.faas4j.api.FunctionState}, ...);</li>
 *   <li>{@link dev.faas4j.api.FaasException}, the one unchecked exception callers see, with a
 *       machine-readable {@link dev.faas4j.api.FaasException.Reason}.</li>
 * </ul>
 *
 * <p>Unless a type says otherwise, every parameter and return value is non-null, and every
 * record is immutable and thread-safe.
 */
package dev.faas4j.api;
