/**
 * A faas4j {@link dev.faas4j.api.FunctionProvider} that runs each function version as Docker
 * containers: {@link dev.faas4j.docker.DockerProvider}.
 *
 * <p>Everything under {@code dev.faas4j.docker.internal} is implementation and may change
 * without notice. Unless a type says otherwise, parameters and return values are non-null.
 */
package dev.faas4j.docker;
