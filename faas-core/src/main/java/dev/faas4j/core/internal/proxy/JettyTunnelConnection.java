package dev.faas4j.core.internal.proxy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.FutureCallback;

/**
 * The client's end of a {@link dev.faas4j.core.internal.proxy.Tunnel} on Jetty 12's core API: the connection that replaces Jetty's
 * HTTP/1.1 connection on the client's socket once the 101 answer went out. Jetty makes the swap
 * itself when a request carries {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE} at the end of its
 * answer (the mechanism its {@code ConnectHandler} uses for CONNECT); the bytes the client sent
 * behind its request, already read by Jetty, are handed over in {@link #onUpgradeTo}.
 *
 * <p>Reads the client's bytes when Jetty says there are some and writes them to the function; writes
 * the function's bytes with a blocking write on the tunnel's thread. The socket's idle timeout is the
 * tunnel's, and fires only when both directions were silent.
 */
final class JettyTunnelConnection extends AbstractConnection implements Connection.UpgradeTo,
    dev.faas4j.core.internal.proxy.Tunnel.ClientSide {

  private static final int BUFFER_SIZE = 16 * 1024;

  private final dev.faas4j.core.internal.proxy.Tunnel tunnel;
  private final ByteBuffer buffer = BufferUtil.allocate(BUFFER_SIZE);
  private ByteBuffer early;

  private JettyTunnelConnection(EndPoint endPoint, Request request, dev.faas4j.core.internal.proxy.Tunnel tunnel) {
    super(endPoint, request.getComponents().getExecutor());
    this.tunnel = tunnel;
  }

  /**
   * Arranges for {@code request}'s connection to become {@code tunnel}'s client end once its answer
   * (the 101 set on the response) was sent; the caller then completes the request.
   */
  static void install(Request request, dev.faas4j.core.internal.proxy.Tunnel tunnel) {
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, new JettyTunnelConnection(endPoint, request, tunnel));
  }

  @Override
  public void onUpgradeTo(ByteBuffer prefilled) {
    if (BufferUtil.hasContent(prefilled)) {
      early = BufferUtil.copy(prefilled);
    }
  }

  @Override
  public void onOpen() {
    super.onOpen();
    getEndPoint().setIdleTimeout(tunnel.idleTimeout().toMillis());
    try {
      if (early != null) {
        tunnel.fromClient(early.array(), early.arrayOffset() + early.position(), early.remaining());
        early = null;
      }
    } catch (IOException e) {
      return; // the tunnel closed itself
    }
    tunnel.start(this);
    fillInterested();
  }

  @Override
  public void onFillable() {
    try {
      while (true) {
        BufferUtil.clear(buffer);
        int n = getEndPoint().fill(buffer);
        if (n > 0) {
          tunnel.fromClient(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        } else if (n == 0) {
          fillInterested();
          return;
        } else {
          tunnel.clientEnded();
          return;
        }
      }
    } catch (IOException e) {
      tunnel.clientEnded();
    }
  }

  @Override
  protected boolean onReadTimeout(TimeoutException timeout) {
    return idleExpired();
  }

  @Override
  public boolean onIdleExpired(TimeoutException timeout) {
    return idleExpired();
  }

  private boolean idleExpired() {
    if (!tunnel.isIdle()) {
      return false; // the other direction was busy
    }
    tunnel.close();
    return true;
  }

  @Override
  public void onClose(Throwable cause) {
    super.onClose(cause);
    tunnel.clientEnded();
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    FutureCallback written = new FutureCallback();
    getEndPoint().write(written, ByteBuffer.wrap(bytes, offset, length));
    try {
      written.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing to the client");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  @Override
  public void close() {
    getEndPoint().close();
  }
}
