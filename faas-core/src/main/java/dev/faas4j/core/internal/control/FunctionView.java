package dev.faas4j.core.internal.control;

import dev.faas4j.api.FunctionState;
import java.util.List;

/**
 * A function's committed state with what this JVM knows of each version, as the facade and the
 * admin API report it.
 *
 * @param versions one per version of {@code state}, in the same order
 */
public record FunctionView(FunctionState state, List<VersionView> versions) {}
