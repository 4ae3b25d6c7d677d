/**
 * The engine room behind the {@link dev.faas4j.core.Faas} facade: {@link
 * dev.faas4j.core.internal.engine.Settings} holds what the builder was told (defaults, checks, and
 * what the environment supplies), and {@link dev.faas4j.core.internal.engine.Engine} builds the
 * other packages from it, restores every function, starts the background work, and closes it all
 * in reverse. Only the public API package uses it.
 */
package dev.faas4j.core.internal.engine;
