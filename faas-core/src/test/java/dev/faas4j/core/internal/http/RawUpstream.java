package dev.faas4j.core.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a raw {@link ServerSocket}, for faults an HTTP server would not commit: stalling,
 * resetting, answering garbage, writing hop-by-hop headers verbatim. One thread per connection;
 * {@link #close()} closes every socket and joins every thread it started.
 */
public final class RawUpstream implements AutoCloseable {

  @FunctionalInterface
  public interface ConnectionHandler {
    void handle(Socket socket, InputStream in, OutputStream out) throws Exception;
  }

  public final AtomicInteger connections = new AtomicInteger();
  /** Failures of the handler (other than the socket closing), for diagnosis. */
  public final List<Throwable> failures = new CopyOnWriteArrayList<>();

  private final ServerSocket serverSocket;
  private final ConnectionHandler handler;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  public RawUpstream(ConnectionHandler handler) throws IOException {
    this.handler = handler;
    this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "raw-upstream-accept");
    acceptor.start();
  }

  /** The loopback port it listens on. */
  public int port() {
    return serverSocket.getLocalPort();
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      sockets.add(socket);
      Thread thread =
          new Thread(
              () -> {
                try (socket) {
                  handler.handle(socket, socket.getInputStream(), socket.getOutputStream());
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "raw-upstream-connection");
      threads.add(thread);
      thread.start();
    }
  }

  /** Reads the request head and answers with {@code response}, written verbatim. */
  public static ConnectionHandler answers(String response) {
    return (socket, in, out) -> {
      readHead(in);
      write(out, response);
    };
  }

  /**
   * Reads the request head and answers with a chunked body that never ends, until the proxy closes
   * the connection; then counts {@code sawClose} down.
   */
  public static ConnectionHandler endlessChunkedAnswer(int chunkSize, CountDownLatch sawClose) {
    return (socket, in, out) -> {
      readHead(in);
      write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      byte[] chunk = new byte[chunkSize];
      try {
        while (true) {
          write(out, Integer.toHexString(chunk.length) + "\r\n");
          out.write(chunk);
          write(out, "\r\n");
        }
      } catch (IOException closed) {
        sawClose.countDown();
      }
    };
  }

  /**
   * Reads the request head, then the body until the proxy closes the connection: counts {@code
   * gotBytes} down at the first body byte, {@code sawClose} at the close.
   */
  public static ConnectionHandler readsUntilClosed(CountDownLatch gotBytes, CountDownLatch sawClose) {
    return (socket, in, out) -> {
      readHead(in);
      try {
        while (in.read() >= 0) {
          gotBytes.countDown();
        }
      } catch (IOException closed) {
        // reset: also a close
      }
      sawClose.countDown();
    };
  }

  /** Reads a request head (up to and including the blank line) as ISO-8859-1 text. */
  public static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int lastFour = 0;
    while (lastFour != 0x0D0A0D0A) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside the message head: " + head);
      }
      head.write(b);
      lastFour = (lastFour << 8) | b;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  public static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Sends a TCP reset instead of an orderly close. */
  public static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws Exception {
    serverSocket.close();
    acceptor.join(30_000);
    for (Socket socket : sockets) {
      socket.close();
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
  }
}
