package dev.faas4j.core.internal.proxy;

import dev.faas4j.core.internal.Json;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BiConsumer;

/**
 * The client's side of one function request, as a server binding presents it to the proxy: the
 * {@code clientToProxyRequest} and the {@code proxyToClientResponse} in one object, in the shape the
 * proxy needs and no more.
 *
 * <p>Two bindings implement it: {@link ServletExchange} (any Servlet 6 container, used by {@code
 * FaasFilter}) and {@link JettyExchange} (Jetty 12's core API, used by {@code FaasHandler}, which
 * saves the servlet layer's dispatches). The contract follows the Servlet API's non-blocking I/O,
 * because that is the stricter of the two: a binding over a callback API emulates {@link
 * #isReady()} and the "write possible" call-back, which is what Jetty itself does under its servlet
 * layer.
 *
 * <p><b>Early answers.</b> Every binding applies one rule when it commits an answer: an HTTP/1
 * answer sent before the request's declared body was read to its end says {@code Connection:
 * close}, and the server ends the connection after it. The unread rest of the body stands between
 * this answer and the client's next request; a server may read and drop it, or close, and when it
 * closes after an answer that did not say so, a keep-alive client sends its next request into a
 * closed connection. The rule covers a refusal before the body was read (404, 413, 503) and a
 * function that answers before it read the whole upload alike.
 *
 * <p>Not part of faas4j's API: it may change in any release.
 */
public interface ClientExchange {

  // ---------------------------------------------------------------------------------------------
  // the client's request

  /** The request method, e.g. {@code GET}. */
  String method();

  /** The protocol the client spoke, e.g. {@code HTTP/1.1} or {@code HTTP/2.0}. */
  String protocol();

  /**
   * Whether the client spoke HTTP/1 (or older), where a body is always declared by Content-Length
   * or Transfer-Encoding and the Host is a header; HTTP/2 and later frame both differently.
   */
  default boolean isHttp1() {
    String protocol = protocol();
    return protocol == null || protocol.startsWith("HTTP/1") || protocol.startsWith("HTTP/0");
  }

  /** {@code http} or {@code https}, as this hop saw it. */
  String scheme();

  /** The client's IP address. */
  String remoteAddress();

  /** The name the client addressed this server by, when it sent no Host header. */
  String serverName();

  /** The body's declared length, or -1 when the client did not declare one. */
  long contentLength();

  /** The first value of a request header, or null. Names are case-insensitive. */
  String header(String name);

  /** Every value of a request header joined with {@code ", "}, or null when there is none. */
  String headerValues(String name);

  /** Calls {@code action} with every request header field, name and value, in the order received. */
  void forEachHeader(BiConsumer<String, String> action);

  /** Whether the request has a body, declared or framed by the protocol (HTTP/2 and later). */
  boolean hasBody();

  /**
   * This request's id: the client's {@code X-Request-Id} when it is sane, else a new one, chosen on
   * the first call and the same after it.
   */
  String requestId();

  /**
   * Whether the request is a WebSocket handshake that faas4j carries to the function as a tunnel:
   * HTTP/1.1, {@code Upgrade} naming {@code websocket}, and {@code Connection} naming {@code
   * upgrade}. Any other upgrade (the JDK {@code HttpClient}'s {@code Upgrade: h2c}, say) is an offer
   * a server may decline: faas4j declines it by serving the request as HTTP/1.1, its {@code Upgrade}
   * and {@code Connection} dropped like every hop-by-hop header.
   */
  default boolean isUpgrade() {
    String upgrade = headerValues(Headers.UPGRADE);
    if (upgrade == null || !Headers.containsToken(upgrade, "websocket") || !"HTTP/1.1".equals(protocol())) {
      return false;
    }
    String connection = headerValues(Headers.CONNECTION);
    return connection != null && Headers.containsToken(connection, Headers.UPGRADE);
  }

  /** Whether this binding can hand the client's connection to a {@link Tunnel} ({@link #upgrade}). */
  default boolean canUpgrade() {
    return false;
  }

  /**
   * Sends the answer set so far (status 101 and its headers) and makes the client's connection the
   * client end of {@code tunnel}: the binding {@linkplain Tunnel#start starts} it once the connection
   * carries the new protocol, hands it the client's bytes, and tells it when the client is gone.
   * Only where {@link #canUpgrade()} is true; the exchange is over for the binding afterwards.
   */
  default void upgrade(Tunnel tunnel) throws IOException {
    throw new UnsupportedOperationException("this binding cannot switch protocols");
  }

  /** The body as a blocking stream; only where {@link #isAsync()} is false, or for in-process functions. */
  InputStream body() throws IOException;

  /**
   * Starts non-blocking reads of the body: {@code reader} is called when data may be read, when
   * all of it was read, and when reading failed. Only where {@link #isAsync()} is true; call once.
   */
  void readBody(BodyReader reader) throws IOException;

  /** Whether {@link #read} returns without waiting; if not, the reader is called back later. */
  boolean isBodyReady();

  /** Reads body bytes into {@code buffer}; returns how many, or -1 at the end of the body. */
  int read(byte[] buffer) throws IOException;

  // ---------------------------------------------------------------------------------------------
  // the response to the client


  /**
   * Whether the answer is written without holding a thread ({@link #startNonBlocking}); if false,
   * the thread that serves the request writes it with blocking writes and returns when it is done.
   */
  boolean isAsync();

  /**
   * Switches to non-blocking writing; {@code listener} is called when the client can take more
   * after {@link #isReady()} returned false, and when the client's connection fails.
   */
  void startNonBlocking(WriteListener listener) throws IOException;

  void setStatus(int status);

  /** The status set so far (200 when none was set). */
  int status();

  /** Sets a response header, replacing any value the server may have put there (Date, Server). */
  void setHeader(String name, String value);

  void addHeader(String name, String value);

  /** Whether the status and headers were sent; an error can no longer be answered then. */
  boolean isCommitted();

  /** Drops the status and the headers set so far; only before {@link #isCommitted()}. */
  void reset();

  /** In non-blocking mode, whether a write may be made now without waiting. */
  boolean isReady();

  /**
   * Writes body bytes, committing the status and headers first; the array must not be changed
   * until the next {@link #isReady()} returns true (non-blocking mode), or until this returns.
   *
   * @param last whether these bytes end the body: nothing else is written, and {@link #complete()}
   *     follows. A binding may send the end of the answer with them rather than on its own.
   */
  void write(byte[] bytes, int offset, int length, boolean last) throws IOException;

  /** Sends what was written so far without waiting for more (server-sent events). */
  void flush() throws IOException;

  /** Sends a whole answer held in memory, with its Content-Length, and ends the exchange. */
  void send(byte[] body) throws IOException;

  /**
   * Answers {@code {"status":"error","error":message,"requestId":id}} with {@code status} and ends the exchange;
   * if the answer was already committed, aborts it instead.
   */
  default void sendError(int status, String message) throws IOException {
    sendError(status, message, null, null);
  }

  /** {@link #sendError(int, String)} with one more header ({@code Retry-After}, say), unless {@code header} is null. */
  default void sendError(int status, String message, String header, String value) throws IOException {
    if (isCommitted()) {
      abort(new IOException(message));
      return;
    }
    reset();
    setStatus(status);
    if (header != null) {
      setHeader(header, value);
    }
    setHeader(Headers.CONTENT_TYPE, Json.CONTENT_TYPE);
    setHeader(RequestIds.HEADER, requestId());
    send(Json.errorBody(message, requestId()));
  }

  /** Ends a non-blocking answer normally: everything was written. */
  void complete();

  /**
   * Ends the answer by dropping the client's connection, so that a truncated answer never looks
   * complete to the client.
   */
  void abort(Throwable cause);

  /** The non-blocking reader of a request body, called by the binding. */
  interface BodyReader {
    /** Data, the end, or a failure may be read now: read while {@link #isBodyReady()} is true. */
    void onDataAvailable();

    /**
     * The whole body was read. A binding need not call it when {@link #read} returns -1: the reader
     * ends the body on either, once.
     */
    void onAllDataRead();

    /** Reading the body failed: the client went away, or sent a malformed body. */
    void onError(Throwable failure);
  }

  /** The non-blocking writer of an answer, called by the binding. */
  interface WriteListener {
    void onWritePossible();

    void onError(Throwable failure);
  }
}
