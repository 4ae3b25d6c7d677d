package dev.faas4j.core;

import dev.faas4j.core.internal.http.UpstreamClient;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The thread pool to give a Jetty {@code Server} whose functions {@link FaasHandler} serves: a
 * {@link QueuedThreadPool} that saves a thread hand-off on every proxied request.
 *
 * <p>Why: the proxy finishes a function's answer on its own I/O thread, after the handler has
 * returned. Jetty then continues the client's connection (to read its next request) by handing it
 * to the server's thread pool, which wakes a pooled thread for a few microseconds of work and
 * parks it again. With this pool, when that hand-off comes from a proxy I/O thread and the server
 * does not block ({@code Server.getInvocationType()} is {@code NON_BLOCKING}, as it is with
 * {@link FaasHandler} in front), the I/O thread continues the connection itself once it is done with
 * the answer, as Jetty's own selector threads run non-blocking work. Everything else is executed as
 * {@code QueuedThreadPool} executes it. {@code bench/run.sh proxy} measures what it saves.
 *
 * <pre>{@code
 * Server server = new Server(new FaasThreadPool());
 * server.setHandler(new FaasHandler(faas, applicationHandler));
 * }</pre>
 *
 * <p>It has no effect on a server whose handlers may block (the pool then behaves exactly as a
 * {@code QueuedThreadPool}), nor with {@link FaasFilter}, whose answers complete through the servlet
 * container. Thread-safe.
 */
@ManagedObject("a QueuedThreadPool that lets faas4j's proxy I/O threads continue client connections")
public class FaasThreadPool extends QueuedThreadPool {

  private final LongAdder continuedOnIoThreads = new LongAdder();

  /** A pool with {@code QueuedThreadPool}'s defaults. */
  public FaasThreadPool() {
    super();
  }

  /** A pool of at most {@code maxThreads} threads, otherwise with {@code QueuedThreadPool}'s defaults. */
  public FaasThreadPool(int maxThreads) {
    super(maxThreads);
  }

  @Override
  public void execute(Runnable job) {
    if (isConnectionOfNonBlockingServer(job) && UpstreamClient.runOnCurrentIoThread(job)) {
      continuedOnIoThreads.increment();
      return;
    }
    super.execute(job);
  }

  /** How many client connections a proxy I/O thread continued itself instead of handing them over. */
  @ManagedAttribute("client connections continued on a proxy I/O thread instead of a pooled thread")
  public long getContinuedOnIoThreads() {
    return continuedOnIoThreads.sum();
  }

  private static boolean isConnectionOfNonBlockingServer(Runnable job) {
    if (!(job instanceof Connection) || !(job instanceof ConnectionMetaData meta)) {
      return false;
    }
    Connector connector = meta.getConnector();
    return connector != null && connector.getServer().getInvocationType() == InvocationType.NON_BLOCKING;
  }
}
