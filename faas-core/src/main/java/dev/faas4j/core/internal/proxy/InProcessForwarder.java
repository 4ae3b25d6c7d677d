package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.FaasException.Reason;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionHandler;
import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Forwards a client's request to a function that runs in this JVM ({@code Endpoint.InProcess}): the
 * body is read whole (up to the body limit), the headers pass the same rules as for an HTTP
 * upstream ({@link ForwardingRules}), and the function's {@link FunctionResponse} is sent back on
 * the calling thread. A function that throws, or returns null, fails with {@link
 * Reason#UPSTREAM_ERROR}.
 *
 * <p>Immutable; thread-safe.
 */
final class InProcessForwarder {

  /** The most of a body read at once. */
  private static final int BUFFER_SIZE = 16 * 1024;

  private final ProxySettings settings;

  InProcessForwarder(ProxySettings settings) {
    this.settings = settings;
  }


  void forward(
      ClientExchange client, FunctionHandler handler, String upstreamPathAndQuery, long declaredLength)
      throws IOException {
    FunctionRequest functionRequest = request(client, upstreamPathAndQuery, declaredLength);

    FunctionResponse functionResponse;
    try {
      functionResponse = handler.handle(functionRequest);
    } catch (Exception e) {
      throw new FaasException(
          Reason.UPSTREAM_ERROR, "the in-process function failed: " + describe(e), e);
    }
    if (functionResponse == null) {
      throw new FaasException(
          Reason.UPSTREAM_ERROR, "the in-process function returned no response (null)");
    }

    client.setStatus(functionResponse.status());
    for (Map.Entry<String, List<String>> header : functionResponse.headers().entrySet()) {
      String name = header.getKey();
      if (Headers.mustDrop(name, null) || name.equalsIgnoreCase(Headers.CONTENT_LENGTH)) {
        continue;
      }
      boolean first = true;
      for (String value : header.getValue()) {
        if (first) {
          client.setHeader(name, value);
          first = false;
        } else {
          client.addHeader(name, value);
        }
      }
    }
    client.setHeader(RequestIds.HEADER, client.requestId());
    client.send(functionResponse.body());
  }

  /**
   * The client's request as a function would see it: the body read whole (up to the body limit),
   * the headers after the forwarding rules.
   */
  FunctionRequest request(ClientExchange client, String upstreamPathAndQuery, long declaredLength) throws IOException {
    byte[] body = client.hasBody() ? readWholeBody(client, declaredLength) : new byte[0];
    int queryStart = upstreamPathAndQuery.indexOf('?');
    String path = queryStart < 0 ? upstreamPathAndQuery : upstreamPathAndQuery.substring(0, queryStart);
    String query = queryStart < 0 ? "" : upstreamPathAndQuery.substring(queryStart + 1);
    return new FunctionRequest(client.method(), path, query,
        ForwardingRules.requestHeaders(client, settings.forwardedHeaders()), body);
  }

  private byte[] readWholeBody(ClientExchange client, long declaredLength) throws IOException {
    // a byte array holds at most Integer.MAX_VALUE - 8 bytes
    long limit = Math.min(settings.maxRequestBodyBytes(), Integer.MAX_VALUE - 8);
    if (declaredLength > limit) {
      throw ReverseProxy.tooLarge(settings);
    }
    InputStream clientToProxyBody = client.body();
    if (declaredLength >= 0) {
      byte[] body = clientToProxyBody.readNBytes((int) declaredLength);
      if (body.length < declaredLength) {
        throw new IOException(
            "client sent " + body.length + " of the " + declaredLength + " bytes it announced");
      }
      // read the end too: the binding sees that the body was read to its end, so the answer
      // keeps the connection (see the early-answer rule in ClientExchange)
      clientToProxyBody.read();
      return body;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[BUFFER_SIZE];
    int n;
    while ((n = clientToProxyBody.read(buffer)) >= 0) {
      if (body.size() + (long) n > limit) {
        throw ReverseProxy.tooLarge(settings);
      }
      body.write(buffer, 0, n);
    }
    return body.toByteArray();
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
