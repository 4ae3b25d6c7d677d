package dev.faas4j.api;

/**
 * A function written in Java, served in-process. Used by the in-memory provider so that
 * applications can test routing, versions and aliases without starting processes.
 *
 * <p>Implementations must be thread-safe: concurrent requests call it concurrently.
 */
@FunctionalInterface
public interface FunctionHandler {

  /**
   * Handles one request. An exception thrown here is answered with 502, like a crashed upstream.
   */
  FunctionResponse handle(FunctionRequest request) throws Exception;
}
