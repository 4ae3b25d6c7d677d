package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.api.FunctionResponse;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A function request made from inside this JVM ({@code Faas.invoke}): the third binding of {@link
 * ClientExchange}, next to the servlet and Jetty ones, over a {@link FunctionRequest} held in memory
 * and an answer collected in memory. It is never async, so the proxy's blocking mode applies: the
 * calling thread sends the request (and its body) upstream, waits for the answer and writes it here.
 * The function sees the request as if it had come over HTTP/1.1 from the loopback address, with the
 * function's own host as {@code Host} unless the request names one.
 *
 * <p>One exchange per call; used by one thread at a time (the proxy's blocking writer), and read with
 * {@link #response()} once the exchange is over.
 */
public final class DirectExchange implements ClientExchange {

  /** The client address functions see in {@code X-Forwarded-For} for a call made in this JVM. */
  static final String LOOPBACK = "127.0.0.1";

  private final FunctionRequest request;
  private final String host;
  private final List<String[]> requestFields = new ArrayList<>();
  private final String requestId;

  private int status = 200;
  private final Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
  private final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();
  private boolean committed;
  private Throwable aborted;

  /**
   * @param request what to send; its {@code Host} header, if any, is kept
   * @param host the {@code Host} to send when the request has none, e.g. {@code v1.hello.func.local}
   */
  public DirectExchange(FunctionRequest request, String host) {
    this.request = request;
    this.host = host;
    if (request.header(Headers.HOST) == null) {
      requestFields.add(new String[] {Headers.HOST, host});
    }
    request.headers().forEach((name, values) -> {
      if (!name.equalsIgnoreCase(Headers.CONTENT_LENGTH) && !name.equalsIgnoreCase(Headers.TRANSFER_ENCODING)) {
        values.forEach(value -> requestFields.add(new String[] {name, value})); // the body's framing is ours
      }
    });
    this.requestId = RequestIds.accept(header(RequestIds.HEADER));
  }

  @Override
  public String requestId() {
    return requestId;
  }

  /**
   * The function's answer, or the error answer faas4j gave instead; complete once the exchange is
   * over.
   */
  public FunctionResponse response() {
    return new FunctionResponse(status, responseHeaders, responseBody.toByteArray());
  }

  /** Why the answer was broken off after it had started, or null. */
  public Throwable aborted() {
    return aborted;
  }

  // ---------------------------------------------------------------------------------------------
  // the request

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public String protocol() {
    return "HTTP/1.1";
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public String remoteAddress() {
    return LOOPBACK;
  }

  @Override
  public String serverName() {
    return host;
  }

  @Override
  public long contentLength() {
    return hasBody() ? request.body().length : -1;
  }

  @Override
  public String header(String name) {
    for (String[] field : requestFields) {
      if (field[0].equalsIgnoreCase(name)) {
        return field[1];
      }
    }
    return null;
  }

  @Override
  public String headerValues(String name) {
    List<String> values = new ArrayList<>();
    for (String[] field : requestFields) {
      if (field[0].equalsIgnoreCase(name)) {
        values.add(field[1]);
      }
    }
    return values.isEmpty() ? null : String.join(", ", values);
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    for (String[] field : requestFields) {
      action.accept(field[0], field[1]);
    }
  }

  @Override
  public boolean hasBody() {
    return request.body().length > 0;
  }

  @Override
  public InputStream body() {
    return new ByteArrayInputStream(request.body());
  }

  @Override
  public void readBody(BodyReader reader) {
    throw new UnsupportedOperationException("a direct exchange is not async: its body is read with body()");
  }

  @Override
  public boolean isBodyReady() {
    return true;
  }

  @Override
  public int read(byte[] buffer) {
    throw new UnsupportedOperationException("a direct exchange is not async: its body is read with body()");
  }

  // ---------------------------------------------------------------------------------------------
  // the answer

  @Override
  public boolean isAsync() {
    return false;
  }

  @Override
  public void startNonBlocking(WriteListener listener) {
    throw new UnsupportedOperationException("a direct exchange is written with blocking writes");
  }

  @Override
  public void setStatus(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public void setHeader(String name, String value) {
    responseHeaders.keySet().removeIf(name::equalsIgnoreCase);
    responseHeaders.put(name, new ArrayList<>(List.of(value)));
  }

  @Override
  public void addHeader(String name, String value) {
    for (Map.Entry<String, List<String>> header : responseHeaders.entrySet()) {
      if (header.getKey().equalsIgnoreCase(name)) {
        header.getValue().add(value);
        return;
      }
    }
    responseHeaders.put(name, new ArrayList<>(List.of(value)));
  }

  @Override
  public boolean isCommitted() {
    return committed;
  }

  @Override
  public void reset() {
    if (committed) {
      throw new IllegalStateException("the answer was already committed");
    }
    status = 200;
    responseHeaders.clear();
  }

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void write(byte[] bytes, int offset, int length, boolean last) {
    committed = true;
    responseBody.write(bytes, offset, length);
  }

  @Override
  public void flush() {
    committed = true;
  }

  @Override
  public void send(byte[] body) throws IOException {
    committed = true;
    responseBody.reset();
    responseBody.write(body);
  }

  @Override
  public void complete() {
    // nothing to release: the caller reads the answer once the exchange is over
  }

  @Override
  public void abort(Throwable cause) {
    committed = true;
    aborted = cause;
  }
}
