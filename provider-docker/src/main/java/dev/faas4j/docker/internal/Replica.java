package dev.faas4j.docker.internal;

import dev.faas4j.api.Endpoint;

/**
 * One running container of a version.
 *
 * @param containerId the engine's id
 * @param containerName the container's name, for messages
 * @param endpoint where its published port is reached
 */
record Replica(String containerId, String containerName, Endpoint.Http endpoint) {

  String shortId() {
    return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
  }
}
