package dev.faas4j.core.internal.proxy;

import dev.faas4j.core.internal.telemetry.RequestIds;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Enumeration;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function request in any Servlet 6 container. Async mode when the request supports it (the
 * filter or servlet is registered as async-supported), the blocking fallback otherwise.
 *
 * <p>Not part of faas4j's API.
 */
public final class ServletExchange implements ClientExchange {

  private static final Logger LOG = LoggerFactory.getLogger(ServletExchange.class);

  /** This request's id, chosen on first use; only the thread serving the request at a time reads it. */
  private String requestId;
  private final HttpServletRequest clientToProxyRequest;
  private final HttpServletResponse proxyToClientResponse;
  private final boolean async;
  private AsyncContext asyncContext;
  private ServletInputStream clientToProxyBody;
  private ServletOutputStream proxyToClientBody;
  /** The client's connection is being aborted by the async timeout: do not complete the request. */
  private volatile boolean abortByTimeout;
  /** The body's first byte, read by {@link #hasBody()} to learn that there is a body; -1 if none. */
  private int firstByte = -1;

  public ServletExchange(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse) {
    this.clientToProxyRequest = clientToProxyRequest;
    this.proxyToClientResponse = proxyToClientResponse;
    this.async = clientToProxyRequest.isAsyncSupported();
  }

  @Override
  public String method() {
    return clientToProxyRequest.getMethod();
  }

  @Override
  public String protocol() {
    return clientToProxyRequest.getProtocol();
  }

  @Override
  public String scheme() {
    return clientToProxyRequest.getScheme();
  }

  @Override
  public String remoteAddress() {
    return clientToProxyRequest.getRemoteAddr();
  }

  @Override
  public String serverName() {
    return clientToProxyRequest.getServerName();
  }

  @Override
  public long contentLength() {
    return clientToProxyRequest.getContentLengthLong();
  }

  @Override
  public String header(String name) {
    String value = clientToProxyRequest.getHeader(name);
    return value == null && name.equalsIgnoreCase(Headers.HOST) ? authorityAsHost() : value;
  }

  @Override
  public String headerValues(String name) {
    String values = Headers.joined(clientToProxyRequest.getHeaders(name));
    return values == null && name.equalsIgnoreCase(Headers.HOST) ? authorityAsHost() : values;
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    String host = authorityAsHost();
    if (host != null) {
      action.accept(Headers.HOST, host);
    }
    Enumeration<String> names = clientToProxyRequest.getHeaderNames();
    while (names.hasMoreElements()) {
      String name = names.nextElement();
      Enumeration<String> values = clientToProxyRequest.getHeaders(name);
      while (values.hasMoreElements()) {
        action.accept(name, values.nextElement());
      }
    }
  }

  /**
   * HTTP/2 and later frame a body without either header, and end a request that has none with its
   * HEADERS frame. The Servlet API tells them apart only by reading ({@code isFinished()} turns
   * true once a read has returned -1): bytes or the end that already arrived answer at once; a
   * request whose first DATA frame is still on its way holds this thread until it comes. The byte
   * read then is kept for {@link #body()} and {@link #read}.
   */
  @Override
  public boolean hasBody() {
    if (contentLength() >= 0 || header(Headers.TRANSFER_ENCODING) != null) {
      return true;
    }
    if (isHttp1()) {
      return false;
    }
    try {
      ServletInputStream body = clientToProxyRequest.getInputStream();
      if (body.isFinished()) {
        return false;
      }
      if (body.available() > 0) {
        return true;
      }
      firstByte = body.read();
      return firstByte >= 0;
    } catch (IOException e) {
      return true; // let the body read report the failure
    }
  }

  /**
   * HTTP/2 and later name the server in the {@code :authority} pseudo-header, usually without a
   * Host header; a proxy that passes such a request on in HTTP/1.1 makes a Host field of it (RFC
   * 9113, section 8.3.1). The Servlet API gives the authority as the server name and port. This is
   * that Host, or null when the request has its own or is HTTP/1.
   */
  private String authorityAsHost() {
    if (isHttp1() || clientToProxyRequest.getHeader(Headers.HOST) != null) {
      return null;
    }
    String name = clientToProxyRequest.getServerName();
    if (name == null || name.isEmpty()) {
      return null;
    }
    if (name.indexOf(':') >= 0 && name.charAt(0) != '[') {
      name = "[" + name + "]"; // an IPv6 address
    }
    int port = clientToProxyRequest.getServerPort();
    String scheme = scheme();
    boolean defaultPort = port <= 0
        || (port == 80 && "http".equalsIgnoreCase(scheme))
        || (port == 443 && "https".equalsIgnoreCase(scheme));
    return defaultPort ? name : name + ":" + port;
  }

  /** The body, starting with the byte {@link #hasBody()} may have read. */
  @Override
  public InputStream body() throws IOException {
    InputStream rest = clientToProxyRequest.getInputStream();
    if (firstByte < 0) {
      return rest;
    }
    InputStream first = new ByteArrayInputStream(new byte[] {(byte) firstByte});
    firstByte = -1;
    return new SequenceInputStream(first, rest);
  }

  @Override
  public void readBody(BodyReader reader) throws IOException {
    ServletInputStream body = clientToProxyRequest.getInputStream();
    clientToProxyBody = body;
    body.setReadListener(
        new ReadListener() {
          @Override
          public void onDataAvailable() {
            reader.onDataAvailable();
          }

          @Override
          public void onAllDataRead() {
            if (firstByte >= 0) {
              reader.onDataAvailable(); // the body was that one byte: it goes first
            }
            reader.onAllDataRead();
          }

          @Override
          public void onError(Throwable t) {
            reader.onError(t);
          }
        });
  }

  @Override
  public boolean isBodyReady() {
    return firstByte >= 0 || clientToProxyBody.isReady();
  }

  @Override
  public int read(byte[] buffer) throws IOException {
    if (firstByte >= 0) {
      buffer[0] = (byte) firstByte;
      firstByte = -1;
      return 1;
    }
    return clientToProxyBody.read(buffer);
  }

  @Override
  public boolean isAsync() {
    return async;
  }

  // canUpgrade() stays false: Jetty 12.1's servlet upgrade reads the bytes after a 101 as HTTP (501)


  @Override
  public void startNonBlocking(WriteListener listener) throws IOException {
    asyncContext = clientToProxyRequest.startAsync();
    asyncContext.setTimeout(0); // the upstream response timeout applies, not the container's
    asyncContext.addListener(new ClientListener(listener));
    proxyToClientBody = proxyToClientResponse.getOutputStream();
    proxyToClientBody.setWriteListener(
        new jakarta.servlet.WriteListener() {
          @Override
          public void onWritePossible() {
            listener.onWritePossible();
          }

          @Override
          public void onError(Throwable t) {
            listener.onError(t);
          }
        });
  }

  @Override
  public void setStatus(int status) {
    proxyToClientResponse.setStatus(status);
  }

  @Override
  public String requestId() {
    String id = requestId;
    if (id == null) {
      id = RequestIds.accept(header(RequestIds.HEADER));
      requestId = id;
    }
    return id;
  }

  @Override
  public int status() {
    return proxyToClientResponse.getStatus();
  }

  @Override
  public void setHeader(String name, String value) {
    proxyToClientResponse.setHeader(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    proxyToClientResponse.addHeader(name, value);
  }

  @Override
  public boolean isCommitted() {
    return proxyToClientResponse.isCommitted();
  }

  @Override
  public void reset() {
    proxyToClientResponse.reset();
  }

  @Override
  public boolean isReady() {
    return proxyToClientBody.isReady();
  }

  @Override
  public void write(byte[] bytes, int offset, int length, boolean last) throws IOException {
    closeIfBodyUnread();
    output().write(bytes, offset, length);
  }

  @Override
  public void flush() throws IOException {
    closeIfBodyUnread();
    output().flush();
  }

  @Override
  public void send(byte[] body) throws IOException {
    closeIfBodyUnread();
    proxyToClientResponse.setContentLength(body.length);
    if (body.length > 0) {
      output().write(body);
    }
  }

  /** Before the answer is committed: see the early-answer rule in {@link ClientExchange}. */
  private void closeIfBodyUnread() {
    closeIfBodyUnread(clientToProxyRequest, proxyToClientResponse);
  }

  /**
   * The early-answer rule of {@link ClientExchange} for any servlet answer: unless {@code response}
   * is committed, it says {@code Connection: close} when {@code request} is HTTP/1 and declared a
   * body that was not read to its end (the Servlet API's {@code isFinished()}). Call it before the
   * answer's first byte is written.
   */
  public static void closeIfBodyUnread(HttpServletRequest request, HttpServletResponse response) {
    String protocol = request.getProtocol();
    if (response.isCommitted() || protocol == null || !protocol.startsWith("HTTP/1")
        || (request.getContentLengthLong() <= 0 && request.getHeader(Headers.TRANSFER_ENCODING) == null)) {
      return;
    }
    boolean finished;
    try {
      finished = request.getInputStream().isFinished();
    } catch (IOException | IllegalStateException e) {
      finished = false; // the body was taken as a reader, or cannot be read: assume the worst
    }
    if (!finished) {
      response.setHeader(Headers.CONNECTION, "close");
    }
  }

  private ServletOutputStream output() throws IOException {
    ServletOutputStream body = proxyToClientBody;
    return body != null ? body : proxyToClientResponse.getOutputStream();
  }

  @Override
  public void complete() {
    if (asyncContext == null || abortByTimeout) {
      return; // blocking mode: the container ends the response when the filter returns
    }
    try {
      asyncContext.complete();
    } catch (IllegalStateException e) {
      LOG.debug("the client's request was already completed: {}", e.toString());
    }
  }

  /**
   * The Servlet API has no portable abort. Jetty takes {@code sendError(-1)} on a committed
   * response as "abort". Tomcat refuses it; there the async request is left to time out at once
   * instead of being completed, and Tomcat closes a committed response that timed out without
   * ending it. Where both are refused, the response is completed: a body of declared length then
   * still ends short, which a client reads as a failure.
   */
  @Override
  public void abort(Throwable cause) {
    try {
      proxyToClientResponse.sendError(-1);
    } catch (IOException | RuntimeException e) {
      LOG.debug("the container refused sendError(-1) as an abort: {}", e.toString());
      if (asyncContext != null) {
        try {
          asyncContext.setTimeout(1);
          abortByTimeout = true;
          return;
        } catch (RuntimeException refused) {
          LOG.debug("the container refused a new async timeout: {}", refused.toString());
        }
      }
    }
    complete();
  }

  /** Reports the client's connection failing while the request is in async mode. */
  private static final class ClientListener implements AsyncListener {
    private final WriteListener listener;

    ClientListener(WriteListener listener) {
      this.listener = listener;
    }

    @Override
    public void onComplete(AsyncEvent event) {}

    @Override
    public void onTimeout(AsyncEvent event) {
      // the async context has no timeout of its own (the upstream response timeout applies),
      // except the one that aborts the client's connection: left alone, the container closes it
    }

    @Override
    public void onError(AsyncEvent event) {
      Throwable cause = event.getThrowable();
      listener.onError(cause instanceof IOException ? cause : new IOException(String.valueOf(cause), cause));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }
}
