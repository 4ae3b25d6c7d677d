package dev.faas4j.core.internal.proxy;

import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * A function request in Jetty 12's core API ({@code Request}, {@code Response}, {@code Callback}),
 * without the servlet layer: always non-blocking.
 *
 * <p>Jetty's core API takes one write at a time and reports its completion through a callback; the
 * proxy's contract is the servlet one, {@link #isReady()} and a "write possible" call-back. This
 * class bridges the two with one small state: idle, writing, or writing with the proxy waiting for
 * the write to finish. The call-backs do no blocking work (they take a lock held only for
 * in-memory work), so they are declared non-blocking and Jetty runs them on its I/O thread.
 *
 * <p>Not part of faas4j's API.
 */
public final class JettyExchange implements ClientExchange {

  private static final int IDLE = 0;
  private static final int WRITING = 1;
  /** Writing, and {@link #isReady()} returned false: the write's completion calls the listener. */
  private static final int WRITING_AWAITED = 2;

  /** This request's id, chosen on first use; only the thread serving the request at a time reads it. */
  private String requestId;
  private final Request clientToProxyRequest;
  private final Response proxyToClientResponse;
  private final Callback completion;
  private final AtomicInteger writeState = new AtomicInteger(IDLE);
  private final WriteCompletion writeCompletion = new WriteCompletion();
  private volatile WriteListener writeListener;
  private volatile BodyReader bodyReader;
  /** The last write carried the end of the answer; written and read by the one writer at a time. */
  private boolean lastWritten;
  /** The body chunk being read from; read by one reader at a time. */
  private Content.Chunk chunk;
  /** The request body was read to its end; an answer sent before that closes the connection. */
  private volatile boolean bodyEnded;

  /**
   * @param completion Jetty's callback for the request: succeeded when the answer is complete,
   *     failed to abort it
   */
  public JettyExchange(Request clientToProxyRequest, Response proxyToClientResponse, Callback completion) {
    this.clientToProxyRequest = clientToProxyRequest;
    this.proxyToClientResponse = proxyToClientResponse;
    this.completion = completion;
  }

  @Override
  public String method() {
    return clientToProxyRequest.getMethod();
  }

  @Override
  public String protocol() {
    return clientToProxyRequest.getConnectionMetaData().getProtocol();
  }

  @Override
  public String scheme() {
    return clientToProxyRequest.getHttpURI().getScheme();
  }

  @Override
  public String remoteAddress() {
    return Request.getRemoteAddr(clientToProxyRequest);
  }

  @Override
  public String serverName() {
    return Request.getServerName(clientToProxyRequest);
  }

  @Override
  public long contentLength() {
    return clientToProxyRequest.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
  }

  @Override
  public String header(String name) {
    String value = clientToProxyRequest.getHeaders().get(name);
    return value == null && name.equalsIgnoreCase(Headers.HOST) ? authorityAsHost() : value;
  }

  @Override
  public String headerValues(String name) {
    // a plain loop: HttpFields.getFields(name) builds a stream and a list, and this runs several
    // times per request (the proxy's profile showed it)
    String first = null;
    StringBuilder joined = null;
    for (HttpField field : clientToProxyRequest.getHeaders()) {
      if (!field.is(name)) {
        continue;
      }
      if (first == null) {
        first = field.getValue();
      } else {
        if (joined == null) {
          joined = new StringBuilder(first);
        }
        joined.append(", ").append(field.getValue());
      }
    }
    if (first == null) {
      return name.equalsIgnoreCase(Headers.HOST) ? authorityAsHost() : null;
    }
    return joined == null ? first : joined.toString();
  }

  @Override
  public void forEachHeader(BiConsumer<String, String> action) {
    String host = authorityAsHost();
    if (host != null) {
      action.accept(Headers.HOST, host);
    }
    for (HttpField field : clientToProxyRequest.getHeaders()) {
      action.accept(field.getName(), field.getValue());
    }
  }

  /**
   * HTTP/2 and later name the server in the {@code :authority} pseudo-header, usually without a
   * Host header; a proxy that passes such a request on in HTTP/1.1 makes a Host field of it (RFC
   * 9113, section 8.3.1). This is that Host, or null when the request has its own or is HTTP/1.
   */
  private String authorityAsHost() {
    if (isHttp1() || clientToProxyRequest.getHeaders().contains(HttpHeader.HOST)) {
      return null;
    }
    String authority = clientToProxyRequest.getHttpURI().getAuthority();
    return authority == null || authority.isEmpty() ? null : authority;
  }

  @Override
  public boolean hasBody() {
    if (contentLength() >= 0 || header(Headers.TRANSFER_ENCODING) != null) {
      return true;
    }
    if (isHttp1()) {
      return false;
    }
    // HTTP/2 and later frame bodies without either header: look at the first chunk, keep it
    chunk = clientToProxyRequest.read();
    return chunk == null || chunk.hasRemaining() || !chunk.isLast();
  }

  /** The body as a blocking stream, starting with the chunk {@link #hasBody()} may have read. */
  @Override
  public InputStream body() {
    InputStream rest = new FilterInputStream(Content.Source.asInputStream(clientToProxyRequest)) {
      @Override
      public int read() throws IOException {
        return ended(super.read());
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        return ended(super.read(buffer, offset, length));
      }

      private int ended(int n) {
        if (n < 0) {
          bodyEnded = true;
        }
        return n;
      }
    };
    Content.Chunk first = chunk;
    if (first == null || Content.Chunk.isFailure(first)) {
      return rest; // a failure stays in the request, which reports it again
    }
    chunk = null;
    byte[] bytes = new byte[first.remaining()];
    first.get(bytes, 0, bytes.length);
    boolean last = first.isLast();
    first.release();
    if (last) {
      bodyEnded = true;
      return new ByteArrayInputStream(bytes);
    }
    return new SequenceInputStream(new ByteArrayInputStream(bytes), rest);
  }

  @Override
  public void readBody(BodyReader reader) {
    bodyReader = reader;
    clientToProxyRequest.demand(Invocable.from(Invocable.InvocationType.NON_BLOCKING, reader::onDataAvailable));
  }

  /**
   * True when {@link #read} has bytes, the end or a failure to report. An empty chunk that is not
   * the last (Jetty's content may contain them, e.g. from an empty HTTP/2 frame) is skipped: it
   * says nothing, least of all that the body ended.
   */
  @Override
  public boolean isBodyReady() {
    while (true) {
      if (chunk == null) {
        chunk = clientToProxyRequest.read();
        if (chunk == null) {
          BodyReader reader = bodyReader;
          clientToProxyRequest.demand(Invocable.from(Invocable.InvocationType.NON_BLOCKING, reader::onDataAvailable));
          return false;
        }
      }
      if (chunk.hasRemaining() || chunk.isLast() || Content.Chunk.isFailure(chunk)) {
        return true;
      }
      chunk.release();
      chunk = null;
    }
  }

  @Override
  public int read(byte[] buffer) throws IOException {
    if (!isBodyReady()) {
      return 0;
    }
    if (Content.Chunk.isFailure(chunk)) {
      Throwable failure = chunk.getFailure();
      throw failure instanceof IOException io ? io : new IOException("reading the request body failed", failure);
    }
    if (chunk.hasRemaining()) {
      int n = chunk.get(buffer, 0, buffer.length);
      if (!chunk.hasRemaining()) {
        boolean last = chunk.isLast();
        chunk.release();
        chunk = last ? Content.Chunk.EOF : null;
        bodyEnded |= last;
      }
      return n;
    }
    bodyEnded = true;
    return -1; // an empty last chunk: the end of the body (it stays, so every later read ends too)
  }

  @Override
  public boolean isAsync() {
    return true;
  }

  @Override
  public void startNonBlocking(WriteListener listener) {
    writeListener = listener;
  }

  @Override
  public boolean canUpgrade() {
    return true;
  }

  /** Jetty swaps the connection once the 101 went out: see {@link JettyTunnelConnection}. */
  @Override
  public void upgrade(Tunnel tunnel) {
    JettyTunnelConnection.install(clientToProxyRequest, tunnel);
    completion.succeeded();
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
    proxyToClientResponse.getHeaders().put(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    proxyToClientResponse.getHeaders().add(name, value);
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
    while (true) {
      int state = writeState.get();
      if (state == IDLE) {
        return true;
      }
      if (state == WRITING_AWAITED || writeState.compareAndSet(WRITING, WRITING_AWAITED)) {
        return false;
      }
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length, boolean last) {
    if (!writeState.compareAndSet(IDLE, WRITING)) {
      throw new IllegalStateException("a write is still in progress; wait until isReady() is true");
    }
    lastWritten = last;
    closeIfBodyUnread();
    proxyToClientResponse.write(last, ByteBuffer.wrap(bytes, offset, length), writeCompletion);
  }

  /** Before the answer is committed: see the early-answer rule in {@link ClientExchange}. */
  private void closeIfBodyUnread() {
    if (!bodyEnded && !proxyToClientResponse.isCommitted() && isHttp1()
        && (contentLength() > 0 || header(Headers.TRANSFER_ENCODING) != null)) {
      proxyToClientResponse.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
  }

  @Override
  public void flush() {
    // every core write goes out at once: there is nothing to flush
  }

  @Override
  public void send(byte[] body) {
    closeIfBodyUnread();
    proxyToClientResponse.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    proxyToClientResponse.write(true, ByteBuffer.wrap(body), completion);
  }

  /**
   * Ends the answer. When the last write carried the end (a body of known length), that is only
   * the request's callback. Otherwise it is a last, empty write, and Jetty succeeds the callback
   * once it went out. Succeeding the callback directly would leave that last write (the end of a
   * chunked body) to Jetty's own completion, which refuses to make it while a body read is still
   * waiting for the client (the function answered before the upload ended): the answer would lose
   * its end.
   */
  @Override
  public void complete() {
    if (lastWritten) {
      completion.succeeded(); // the answer's end went out with its last bytes
    } else {
      proxyToClientResponse.write(true, BufferUtil.EMPTY_BUFFER, completion);
    }
  }

  /**
   * Fails the request's callback with Jetty's abort marker: Jetty then drops the connection whether
   * or not the answer was committed. Failed with any other exception before the answer was
   * committed, Jetty would answer with an error page of its own instead.
   */
  @Override
  public void abort(Throwable cause) {
    completion.failed(new Request.Handler.AbortException("the answer was broken off", cause));
  }

  /** Called by Jetty when a write finished; turns it into the proxy's "write possible". */
  private final class WriteCompletion implements Callback {
    @Override
    public void succeeded() {
      if (writeState.getAndSet(IDLE) == WRITING_AWAITED) {
        writeListener.onWritePossible();
      }
    }

    @Override
    public void failed(Throwable failure) {
      writeState.set(IDLE);
      writeListener.onError(failure);
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }
  }
}
