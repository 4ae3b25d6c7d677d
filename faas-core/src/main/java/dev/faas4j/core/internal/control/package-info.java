/**
 * The control plane: {@link dev.faas4j.core.internal.control.FunctionService} (deploy, rollback,
 * aliases, stop, deletes) and {@link dev.faas4j.core.internal.control.FunctionQueries} (list,
 * describe, nodes, logs), the {@link dev.faas4j.core.internal.control.Registry}
 * of committed state with its store writes and revision retries, restore, and version names; the
 * {@link dev.faas4j.core.internal.control.ChangeFollower} that applies other nodes' changes from the
 * store's feed, the {@link dev.faas4j.core.internal.control.NodeHeartbeat} of the cluster view, and
 * {@code Logs}, which reads and follows versions' output through the providers.
 *
 * <p>Uses {@code internal.runtime} (instances follow committed changes) and the store through
 * faas-api; knows nothing of HTTP.
 */
package dev.faas4j.core.internal.control;
