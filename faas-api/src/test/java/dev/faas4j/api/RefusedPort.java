package dev.faas4j.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that refuses every connection for as long as this object is open: a socket is
 * bound to it but never listens. Tests that need "nothing listens there" use it instead of a port
 * taken from a closed server socket, which the kernel may hand to the next server the test starts
 * (a proxy under test that got it would then call itself).
 */
public final class RefusedPort implements AutoCloseable {
  private final Socket held = new Socket();

  public RefusedPort() {
    try {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a loopback port", e);
    }
  }

  public int port() {
    return held.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    held.close();
  }
}
