package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.http.UpstreamCall;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Reads the client's request body with non-blocking reads and sends it upstream: the async
 * counterpart of {@link ClientBodyInputStream}. No thread waits for a slow client or for a function
 * that reads its body slowly: reading stops while the upstream window is full and resumes, on the
 * thread that frees it, when a buffer fits again; the server calls back when the client sends
 * more.
 *
 * <p>One reader at a time: the container's callbacks and the upstream side's "room again" may
 * arrive together, so whoever finds the reader busy asks it to go round once more.
 */
final class ClientBodyListener implements ClientExchange.BodyReader {

  private static final int BUFFER_SIZE = 16 * 1024;

  private final ClientExchange clientToProxyBody;
  private final UpstreamCall proxyToServerBody;
  private final ProxyExchange exchange;
  private final long limit;
  private final Supplier<FaasException> tooLarge;
  private final byte[] buffer = new byte[BUFFER_SIZE];

  private final ReentrantLock lock = new ReentrantLock();
  private boolean reading;
  private boolean again;
  /** Read by the reader only (one at a time; the lock hands it over). */
  private boolean over;
  private long count;

  ClientBodyListener(
      ClientExchange clientToProxyBody,
      UpstreamCall proxyToServerBody,
      ProxyExchange exchange,
      long limit,
      Supplier<FaasException> tooLarge) {
    this.clientToProxyBody = clientToProxyBody;
    this.proxyToServerBody = proxyToServerBody;
    this.exchange = exchange;
    this.limit = limit;
    this.tooLarge = tooLarge;
  }

  @Override
  public void onDataAvailable() {
    readWhileReady();
  }

  /** Servlet containers call this at the end of the body; the end is also seen by {@link #readSome}. */
  @Override
  public void onAllDataRead() {
    proxyToServerBody.endBody();
  }

  /** The client's body could not be read: it went away, or sent a malformed body. */
  @Override
  public void onError(Throwable t) {
    exchange.fail(t instanceof IOException io ? io : new IOException(t));
  }

  private void readWhileReady() {
    lock.lock();
    try {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
    } finally {
      lock.unlock();
    }
    while (true) {
      readSome();
      lock.lock();
      try {
        if (!again) {
          reading = false;
          return;
        }
        again = false;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Reads while the client has data and the upstream window has room; never waits. */
  private void readSome() {
    try {
      while (!over && clientToProxyBody.isBodyReady()) {
        if (!proxyToServerBody.hasRoomFor(BUFFER_SIZE)) {
          proxyToServerBody.whenRoomFor(BUFFER_SIZE, this::readWhileReady);
          return;
        }
        int n = clientToProxyBody.read(buffer);
        if (n < 0) {
          over = true;
          proxyToServerBody.endBody(); // a servlet container calls onAllDataRead too: ends once
          return;
        }
        count += n;
        if (count > limit) {
          over = true;
          exchange.fail(tooLarge.get());
          return;
        }
        if (n > 0 && !proxyToServerBody.offer(buffer, 0, n)) {
          over = true; // the exchange is over (the function answered, or it failed)
          return;
        }
      }
    } catch (IOException e) {
      over = true;
      exchange.fail(e);
    }
  }
}
