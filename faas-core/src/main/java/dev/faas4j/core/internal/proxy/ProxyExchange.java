package dev.faas4j.core.internal.proxy;

import dev.faas4j.api.FaasException;
import dev.faas4j.core.internal.Json;
import dev.faas4j.core.internal.http.ResponseHead;
import dev.faas4j.core.internal.http.UpstreamCall;
import dev.faas4j.core.internal.http.UpstreamException;
import dev.faas4j.core.internal.telemetry.RequestIds;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded request, from the moment it is sent upstream until the client has the whole
 * answer: takes the upstream response from the proxy's I/O thread and writes it to the client.
 *
 * <p>Two ways to write, one state machine:
 *
 * <ul>
 *   <li><b>Non-blocking</b> ({@link ClientExchange#isAsync()}): whoever has something to do (the
 *       I/O thread when data arrives, the server when the client can take more) writes under the
 *       lock, as far as {@link ClientExchange#isReady()} allows, then returns. No thread waits for
 *       the client or for the function.
 *   <li><b>Blocking</b> (a servlet filter not registered as async-supported): the container's thread
 *       waits in {@link #writeUntilDone()} and writes with blocking writes, outside the lock, so a
 *       slow client holds up that thread only, never the I/O thread.
 * </ul>
 *
 * <p>Upstream data is flow-controlled: the upstream connection delivers about {@link
 * UpstreamCall#WINDOW} bytes that the client has not taken yet, then stops reading; the window
 * reopens as pieces are written to the client.
 *
 * <p>The outcome is {@link #done()}: completed normally when the answer was sent, exceptionally
 * with the {@link FaasException} whose error answer was sent instead, or with an {@link
 * IOException} when the client's connection was aborted (it went away, or the function failed after
 * its answer had started: a truncated body must never look complete).
 */
final class ProxyExchange implements UpstreamCall.Handler, ClientExchange.WriteListener {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

  private final ClientExchange client;
  private final boolean async;
  private final Function<UpstreamException, FaasException> describeUpstreamFailure;
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuffer> pieces = new ArrayDeque<>();
  /** Non-blocking writing has started (async mode): writes may be made when the client is ready. */
  private boolean writable;
  private ResponseHead pendingHead;
  private boolean headWritten;
  /** The upstream body's declared length, or -1; no flush is needed once it was written. */
  private long expectedLength = -1;
  private long written;
  private boolean upstreamEnded;
  /** Set once: the error to answer with instead, or why to abort. */
  private Throwable failure;
  /** The error whose answer was sent; {@link #done} completes with it. */
  private FaasException answeredWith;
  private boolean finished;
  /** Guards against re-entering {@link #writeWhileReady()} from a callback inside a write. */
  private boolean writing;
  /** Bytes the client took that the upstream call has not been told about yet (granted unlocked). */
  private int toGrant;
  /** The upstream exchange must be cancelled once the lock is released. */
  private boolean upstreamToCancel;

  private volatile UpstreamCall upstream;

  /**
   * @param client the client's request and response; if it is not {@linkplain
   *     ClientExchange#isAsync() async}, the thread that calls {@link #writeUntilDone()} writes
   *     the answer with blocking writes
   * @param describeUpstreamFailure turns an upstream failure into the error to answer with
   */
  ProxyExchange(ClientExchange client, Function<UpstreamException, FaasException> describeUpstreamFailure) {
    this.client = client;
    this.async = client.isAsync();
    this.describeUpstreamFailure = describeUpstreamFailure;
  }

  /** Completes when the client's response is over; see the class comment for how. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** The upstream call; set before it starts. Aborted when the client goes away. */
  void upstream(UpstreamCall call) {
    this.upstream = call;
  }

  /** Starts non-blocking writing; call once, on the server's thread, before sending upstream. */
  void startNonBlocking() throws IOException {
    client.startNonBlocking(this);
    lock.lock();
    try {
      writable = true;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // upstream side: the proxy's I/O thread

  @Override
  public void onHead(ResponseHead head) {
    lock.lock();
    try {
      pendingHead = head;
      expectedLength = head.contentLength();
      advance();
    } finally {
      unlockAndGrant();
    }
  }

  @Override
  public void onData(ByteBuffer src) throws IOException {
    byte[] copy = new byte[src.remaining()];
    src.get(copy);
    lock.lock();
    try {
      if (finished || failure != null) {
        // the client went away, or an error was answered: the upstream connection is closed
        throw new IOException("the exchange was abandoned; closing the upstream connection");
      }
      pieces.add(ByteBuffer.wrap(copy));
      advance();
    } finally {
      unlockAndGrant();
    }
  }

  @Override
  public void onEnd() {
    lock.lock();
    try {
      upstreamEnded = true;
      advance();
    } finally {
      unlockAndGrant();
    }
  }

  /** The upstream call failed: connect, timeout, reset, protocol error, or no free connection. */
  @Override
  public void onFailure(UpstreamException cause) {
    fail(describeUpstreamFailure.apply(cause));
  }

  /**
   * Ends the exchange with an error answer ({@link FaasException}), or with an abort of the
   * client's connection if the answer already started (or for any other throwable).
   */
  void fail(Throwable reason) {
    lock.lock();
    try {
      if (finished || failure != null) {
        return;
      }
      failure = reason;
      pieces.clear();
      advance();
    } finally {
      unlockAndGrant();
    }
    cancelUpstream();
  }

  // ---------------------------------------------------------------------------------------------
  // client side: the server's threads

  @Override
  public void onWritePossible() {
    lock.lock();
    try {
      writeWhileReady();
    } finally {
      unlockAndGrant();
    }
  }

  /** The client's connection failed. */
  @Override
  public void onError(Throwable t) {
    clientGone(t instanceof IOException io ? io : new IOException(t));
  }

  /**
   * Blocking mode: writes the answer on the calling (container) thread until it is complete.
   *
   * @throws IOException when the client's connection was aborted; the container must see it
   */
  void writeUntilDone() throws IOException {
    while (true) {
      ResponseHead head;
      ByteBuffer piece;
      boolean flush;
      lock.lock();
      try {
        while (!finished && failure == null && pendingHead == null && pieces.isEmpty() && !upstreamEnded) {
          try {
            changed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new InterruptedIOException("interrupted while waiting for the function's answer");
            upstreamToCancel = true;
          }
        }
        if (failure != null) {
          answerOrAbort();
        }
        if (finished) {
          break;
        }
        head = pendingHead;
        pendingHead = null;
        piece = head == null ? pieces.poll() : null;
        if (head == null && piece == null) {
          finish(null); // upstream ended and everything was written
          break;
        }
        flush = piece != null && pieces.isEmpty() && !upstreamEnded && !lengthReached(piece.remaining());
      } finally {
        unlockAndGrant(); // also cancels upstream when interrupted
      }
      try {
        if (head != null) {
          writeHead(head);
        } else {
          client.write(piece.array(), piece.position(), piece.remaining(), lengthReached(piece.remaining()));
          written += piece.remaining();
          grantNow(piece.remaining());
          if (flush) {
            client.flush(); // pass on what arrived before waiting for more (server-sent events)
          }
        }
      } catch (IOException e) {
        clientGone(e);
        throw e;
      }
    }
    Throwable outcome = done.handle((ok, error) -> error).join();
    if (outcome instanceof IOException io) {
      throw io;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the state machine; the methods below run with the lock held

  /** Something changed: write what can be written now (non-blocking) or wake the writer. */
  private void advance() {
    if (!async) {
      changed.signalAll();
    } else {
      writeWhileReady();
    }
  }

  private void writeWhileReady() {
    if (writing || finished || !writable) {
      return;
    }
    writing = true;
    try {
      while (!finished) {
        if (failure != null) {
          answerOrAbort();
          continue;
        }
        if (pendingHead != null) {
          writeHead(pendingHead);
          pendingHead = null;
        }
        if (!headWritten || !client.isReady()) {
          return; // wait for the head, or for onWritePossible
        }
        ByteBuffer piece = pieces.poll();
        if (piece == null) {
          if (upstreamEnded) {
            finish(null);
          }
          return;
        }
        int n = piece.remaining();
        boolean flush = pieces.isEmpty() && !upstreamEnded && !lengthReached(n);
        client.write(piece.array(), piece.position(), n, lengthReached(n));
        written += n;
        toGrant += n;
        if (flush && client.isReady()) {
          client.flush(); // pass on what arrived before waiting for more
        }
      }
    } catch (IOException e) {
      clientWentAway(e);
    } finally {
      writing = false;
    }
  }

  /** True when writing {@code n} more bytes completes a body of known length. */
  private boolean lengthReached(int n) {
    return expectedLength >= 0 && written + n >= expectedLength;
  }

  private void writeHead(ResponseHead head) {
    client.setStatus(head.status());
    ForwardingRules.copyResponseHeaders(head.fields(), client);
    client.setHeader(RequestIds.HEADER, client.requestId());
    headWritten = true;
  }

  /**
   * Turns {@link #failure} into an error answer when nothing was sent to the client yet; otherwise
   * (or when the failure is not a {@link FaasException}) aborts the client's connection.
   */
  private void answerOrAbort() {
    Throwable reason = failure;
    failure = null;
    if (reason instanceof FaasException error && !client.isCommitted()) {
      byte[] body = Json.errorBody(error.getMessage(), client.requestId());
      client.reset();
      client.setStatus(error.reason().httpStatus());
      client.setHeader(Headers.CONTENT_TYPE, Json.CONTENT_TYPE);
      client.setHeader(RequestIds.HEADER, client.requestId());
      client.setHeader(Headers.CONTENT_LENGTH, Integer.toString(body.length));
      pendingHead = null;
      headWritten = true;
      upstreamEnded = true;
      expectedLength = body.length;
      written = 0;
      pieces.clear();
      pieces.add(ByteBuffer.wrap(body));
      answeredWith = error;
      return;
    }
    IOException abort;
    if (reason instanceof FaasException error) {
      LOG.warn("{}; the response was already being sent, aborting the client's connection", error.getMessage());
      abort = new ReverseProxy.ResponseAbortedException(error.getMessage(), error);
    } else {
      abort = reason instanceof IOException io ? io : new IOException(reason);
    }
    finish(abort);
  }

  private void finish(Throwable abort) {
    if (finished) {
      return;
    }
    finished = true;
    pieces.clear();
    changed.signalAll();
    if (!upstreamEnded) {
      upstreamToCancel = true; // aborted on unlock: the connection is closed, a body upload stops
    }
    // the outcome first (it releases the instance), then the client's response: a client that
    // has its answer finds the function no longer busy with it
    if (abort != null) {
      done.completeExceptionally(abort);
      client.abort(abort); // a truncated answer must never end cleanly
    } else {
      if (answeredWith != null) {
        done.completeExceptionally(answeredWith);
      } else {
        done.complete(null);
      }
      if (async) {
        client.complete();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // calls into the upstream call, made without the lock held (it calls us with its own lock free)

  /** Releases the lock, then passes on what was decided under it: a window update, or an abort. */
  private void unlockAndGrant() {
    int grant = toGrant;
    boolean cancel = upstreamToCancel;
    toGrant = 0;
    upstreamToCancel = false;
    lock.unlock();
    UpstreamCall call = upstream;
    if (call == null) {
      return;
    }
    if (cancel) {
      call.abort();
    } else if (grant > 0) {
      call.grant(grant);
    }
  }

  /** Blocking mode: reopens the window by what the writer thread just wrote. */
  private void grantNow(int bytes) {
    lock.lock();
    toGrant += bytes;
    unlockAndGrant();
  }

  private void clientGone(IOException e) {
    lock.lock();
    try {
      clientWentAway(e);
    } finally {
      unlockAndGrant();
    }
  }

  /** With the lock held: the client's connection failed; end here, cancel upstream on unlock. */
  private void clientWentAway(IOException e) {
    if (finished) {
      return;
    }
    LOG.debug("client went away; aborting the upstream exchange: {}", e.toString());
    finish(e);
    upstreamToCancel = true;
  }

  /** Ends the upstream call early: its connection is closed, not reused. */
  private void cancelUpstream() {
    UpstreamCall call = upstream;
    if (call != null) {
      call.abort();
    }
  }
}
