package dev.faas4j.core.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * One request that asks the upstream to switch protocols ({@code Connection: Upgrade}), on a
 * connection of its own: never pooled, since after a 101 it carries the new protocol and no other
 * request. {@link #open} connects, writes the request head and reads the answer's head with the
 * same strict parser as every response. If the upstream switched ({@link #switched()}), {@link
 * #input()} and {@link #output()} are the raw connection from then on (the input starts with any
 * bytes that came right behind the head); otherwise the answer's body was read whole, up to a bound,
 * and the connection is closed.
 *
 * <p>Blocking: its calls wait on the socket. Thread-safe as far as a socket is: one thread may read
 * while another writes; {@link #close()} from any thread stops both.
 */
public final class UpstreamUpgrade implements Closeable {

  private static final int BUFFER_SIZE = 16 * 1024;

  private final Socket socket;
  private final ResponseHead head;
  private final byte[] body;
  private final InputStream input;

  private UpstreamUpgrade(Socket socket, ResponseHead head, byte[] body, InputStream input) {
    this.socket = socket;
    this.head = head;
    this.body = body;
    this.input = input;
  }

  /**
   * Connects to {@code address}, sends {@code requestHead} and reads the answer's head.
   *
   * @param requestHead the request line and fields, ending with the empty line; no body follows
   * @param maxBodyBytes the largest body of an answer other than 101 that is read; more is an error
   * @throws UpstreamException CONNECT_* when no connection could be made, RESPONSE_TIMEOUT when the
   *     head (or the body of a refusal) took longer than {@code responseTimeout}, PROTOCOL_ERROR for
   *     a malformed answer or a body over the bound, CONNECTION_FAILED when the connection broke
   */
  public static UpstreamUpgrade open(InetSocketAddress address, byte[] requestHead, Duration connectTimeout,
      Duration responseTimeout, int maxBodyBytes) throws UpstreamException {
    Socket socket = new Socket();
    boolean connected = false;
    try {
      socket.setTcpNoDelay(true);
      socket.connect(address, (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())));
      connected = true;
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, responseTimeout.toMillis())));
      socket.getOutputStream().write(requestHead);
      socket.getOutputStream().flush();
      UpstreamUpgrade upgrade = readAnswer(socket, maxBodyBytes);
      if (!upgrade.switched()) {
        socket.close();
      }
      return upgrade;
    } catch (IOException e) {
      closeQuietly(socket);
      throw failure(e, connected);
    }
  }

  /** The answer's head: 101 when the upstream switched, anything else when it refused. */
  public ResponseHead head() {
    return head;
  }

  /** Whether the upstream switched protocols (101). */
  public boolean switched() {
    return head.status() == 101;
  }

  /** The body of an answer other than 101 (empty for a 101). */
  public byte[] body() {
    return body;
  }

  /** After a 101: the upstream's bytes in the new protocol. */
  public InputStream input() {
    return input;
  }

  /** After a 101: the way to the upstream, in the new protocol. */
  public OutputStream output() throws IOException {
    return socket.getOutputStream();
  }

  /** How long a read of {@link #input()} waits before it throws a {@link SocketTimeoutException}. */
  public void readTimeout(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
  }

  /** Closes the connection; a read or write in progress fails. Idempotent. */
  @Override
  public void close() {
    closeQuietly(socket);
  }

  // ---------------------------------------------------------------------------------------------

  private static UpstreamUpgrade readAnswer(Socket socket, int maxBodyBytes) throws IOException {
    ResponseParser parser = new ResponseParser(UpstreamClient.MAX_HEAD_BYTES);
    parser.reset(false, true);
    Answer answer = new Answer(maxBodyBytes);
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[BUFFER_SIZE];
    while (true) {
      int n = in.read(buffer);
      if (n < 0) {
        parser.endOfInput(answer);
        break;
      }
      ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
      if (parser.parse(bytes, answer)) {
        if (answer.head.status() == 101) {
          byte[] early = Arrays.copyOfRange(buffer, bytes.position(), bytes.limit());
          return new UpstreamUpgrade(socket, answer.head, new byte[0],
              new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(early), in));
        }
        break;
      }
    }
    return new UpstreamUpgrade(socket, answer.head, answer.body.toByteArray(), InputStream.nullInputStream());
  }

  private static UpstreamException failure(IOException e, boolean connected) {
    if (e instanceof UpstreamException upstream) {
      return upstream;
    }
    if (e instanceof SocketTimeoutException) {
      return connected
          ? new UpstreamException(UpstreamException.Kind.RESPONSE_TIMEOUT, "no answer to the upgrade in time", e)
          : new UpstreamException(UpstreamException.Kind.CONNECT_TIMEOUT, "no connection in time", e);
    }
    if (e instanceof ConnectException) {
      return UpstreamException.of(e, false);
    }
    return UpstreamException.of(e, connected);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing: nothing left to do with it
    }
  }

  /** Collects the answer's head, and the body of a refusal up to a bound. */
  private static final class Answer implements ResponseParser.Listener {
    private final int maxBodyBytes;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private ResponseHead head;

    Answer(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void onHead(ResponseHead head) {
      this.head = head;
    }

    @Override
    public void onData(ByteBuffer piece) throws IOException {
      if (body.size() + piece.remaining() > maxBodyBytes) {
        throw new UpstreamException(UpstreamException.Kind.PROTOCOL_ERROR,
            "the function refused the upgrade with a body over " + maxBodyBytes + " bytes");
      }
      byte[] copy = new byte[piece.remaining()];
      piece.get(copy);
      body.write(copy);
    }

    @Override
    public void onEnd() {}
  }
}
