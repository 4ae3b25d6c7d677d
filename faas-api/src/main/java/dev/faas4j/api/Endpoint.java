package dev.faas4j.api;

import java.net.URI;
import java.util.Objects;

/**
 * Where a ready instance of a function version can be reached. faas4j's proxy forwards function
 * traffic to it; providers never handle HTTP for function traffic themselves.
 */
public sealed interface Endpoint permits Endpoint.Http, Endpoint.InProcess {

  /**
   * An HTTP server, e.g. a workerd process on a loopback port or a container's published port.
   *
   * @param baseUri scheme, host and port, e.g. {@code http://127.0.0.1:40123}; the request's path
   *     and query are appended as they are
   */
  record Http(URI baseUri) implements Endpoint {
    public Http {
      Objects.requireNonNull(baseUri, "baseUri");
      if (!"http".equals(baseUri.getScheme()) || baseUri.getHost() == null || baseUri.getPort() < 0) {
        throw new IllegalArgumentException("endpoint must be http://host:port, was " + baseUri);
      }
    }

    /** An endpoint on {@code 127.0.0.1:port}. */
    public static Http loopback(int port) {
      return new Http(URI.create("http://127.0.0.1:" + port));
    }
  }

  /**
   * A handler that runs inside this JVM; used by the in-memory provider.
   *
   * @param handler the function
   */
  record InProcess(FunctionHandler handler) implements Endpoint {
    public InProcess {
      Objects.requireNonNull(handler, "handler");
    }
  }
}
