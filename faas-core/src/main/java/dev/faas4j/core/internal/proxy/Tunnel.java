package dev.faas4j.core.internal.proxy;

import dev.faas4j.core.internal.http.UpstreamUpgrade;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte tunnel between a client's connection and a function's after both agreed to switch
 * protocols (101, a WebSocket say): whatever one side sends, the other gets, unread and unchanged,
 * until either side closes, the connection fails, or both stay silent for the idle timeout.
 *
 * <p>Threads. The upstream's bytes are read by one thread of the tunnel's own ({@code
 * faas4j-tunnel-N}), which writes them to the client with the binding's blocking write, so a client
 * that does not read holds up that thread only. The client's bytes are handed in by the binding
 * ({@link #fromClient}), from whichever thread reads them, and written to the upstream connection
 * (on loopback, to a function's process) before the binding reads more: neither direction queues
 * more than one read's worth.
 *
 * <p>The end. Any end ({@link #clientEnded()}, the upstream's end of input, a failure, the idle
 * timeout, {@link #close()}) closes both connections, once, and completes {@link #done()}
 * normally: a tunnel has no error answer to give, and closing is how its protocols end.
 *
 * <p>Thread-safe.
 */
public final class Tunnel {

  private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);
  private static final AtomicLong THREADS = new AtomicLong();
  private static final int BUFFER_SIZE = 16 * 1024;
  /** The idle timeout is checked at least this often while the upstream is silent. */
  private static final Duration MAX_CHECK_INTERVAL = Duration.ofSeconds(1);

  /** The client's connection after the switch, as a binding presents it. */
  public interface ClientSide {
    /** Writes bytes to the client, returning when they were written (or failing). */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /** Closes the client's connection. Idempotent. */
    void close();
  }

  private final UpstreamUpgrade upstream;
  private final OutputStream proxyToServer;
  private final Duration idleTimeout;
  private final LongSupplier nanoTicker;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long lastActivity;
  private volatile ClientSide client;

  /**
   * @param upstream a connection whose upstream switched protocols
   * @param idleTimeout how long both sides may stay silent before the tunnel is closed
   * @param nanoTicker the clock the idle timeout is measured with, in nanoseconds
   */
  Tunnel(UpstreamUpgrade upstream, Duration idleTimeout, LongSupplier nanoTicker) throws IOException {
    this.upstream = upstream;
    this.proxyToServer = upstream.output();
    this.idleTimeout = idleTimeout;
    this.nanoTicker = nanoTicker;
    this.lastActivity = nanoTicker.getAsLong();
    upstream.readTimeout(idleTimeout.compareTo(MAX_CHECK_INTERVAL) < 0 ? idleTimeout : MAX_CHECK_INTERVAL);
  }

  /** Completes when the tunnel closed, whichever way. */
  public CompletableFuture<Void> done() {
    return done;
  }

  /** How long both sides may stay silent; a binding sets its connection's idle timeout to it. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Starts passing the upstream's bytes to the client. The binding calls it once its connection
   * carries the new protocol; before that, nothing is read from the upstream.
   */
  public void start(ClientSide clientSide) {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("the tunnel was started already");
    }
    this.client = clientSide;
    if (closed.get()) {
      clientSide.close();
      return;
    }
    Thread pump = new Thread(this::serverToClient, "faas4j-tunnel-" + THREADS.incrementAndGet());
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Bytes from the client, written to the upstream before this returns.
   *
   * @throws IOException when the upstream connection failed; the tunnel is closed then
   */
  public void fromClient(byte[] bytes, int offset, int length) throws IOException {
    if (length == 0) {
      return;
    }
    lastActivity = nanoTicker.getAsLong();
    try {
      proxyToServer.write(bytes, offset, length);
      proxyToServer.flush();
    } catch (IOException e) {
      end("the function's connection failed: " + e);
      throw e;
    }
  }

  /** The client closed its connection, or it failed: the tunnel closes. */
  public void clientEnded() {
    end("the client closed its connection");
  }

  /**
   * Whether both sides have been silent for the idle timeout; a binding asks when its own idle
   * timer fires, and closes the tunnel ({@link #close()}) only then.
   */
  public boolean isIdle() {
    return nanoTicker.getAsLong() - lastActivity >= idleTimeout.toNanos();
  }

  /** Closes both connections. Idempotent. */
  public void close() {
    end("closed by the proxy");
  }

  /** Whether the tunnel has closed. */
  boolean isClosed() {
    return closed.get();
  }

  private void serverToClient() {
    byte[] buffer = new byte[BUFFER_SIZE];
    InputStream serverToProxy = upstream.input();
    try {
      while (!closed.get()) {
        int n;
        try {
          n = serverToProxy.read(buffer);
        } catch (SocketTimeoutException e) {
          if (isIdle()) {
            end("idle for " + idleTimeout);
            return;
          }
          continue;
        }
        if (n < 0) {
          end("the function closed its connection");
          return;
        }
        lastActivity = nanoTicker.getAsLong();
        client.write(buffer, 0, n);
      }
    } catch (IOException | RuntimeException e) {
      end(closed.get() ? "closed" : "the tunnel failed: " + e);
    }
  }

  private void end(String why) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LOG.debug("tunnel ends: {}", why);
    upstream.close();
    ClientSide clientSide = client;
    if (clientSide != null) {
      clientSide.close();
    }
    done.complete(null);
  }
}
