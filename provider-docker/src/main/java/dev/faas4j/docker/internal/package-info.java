/** Implementation of the Docker provider; not a public API. */
package dev.faas4j.docker.internal;
