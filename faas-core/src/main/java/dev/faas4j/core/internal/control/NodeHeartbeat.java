package dev.faas4j.core.internal.control;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.api.NodeRegistry;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Threads;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's entry in the cluster view: when the store is a {@link NodeRegistry}, it writes the
 * node's id, host, start time and running versions every {@code interval}, lists the nodes heard
 * from within {@code expiry}, and removes the entry when the node shuts down. A node killed without
 * shutting down drops out of the list once its last heartbeat is older than the expiry.
 *
 * <p>With a store that keeps no nodes, the view is this node alone. With a zero interval nothing
 * runs in the background and {@link #beat()} is called by hand. Thread-safe.
 */
public final class NodeHeartbeat implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);

  private final NodeRegistry nodes;
  private final Instances instances;
  private final Clock clock;
  private final String id;
  private final String host;
  private final Instant started;
  private final Duration expiry;
  private final ScheduledExecutorService scheduler;
  private volatile boolean failing;

  /**
   * @param id this node's id, unique among the nodes sharing the store
   * @param interval how often the entry is rewritten, zero for never in the background
   * @param expiry how long after its last heartbeat a node still counts as live
   */
  public NodeHeartbeat(FunctionStore store, Instances instances, Clock clock, String id, Duration interval,
      Duration expiry) {
    this.nodes = store instanceof NodeRegistry registry ? registry : null;
    this.instances = instances;
    this.clock = clock;
    this.id = id;
    this.host = localHost();
    this.started = clock.instant();
    this.expiry = expiry;
    if (nodes == null || interval.isZero()) {
      this.scheduler = null;
    } else {
      this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.daemon("faas4j-heartbeat-"));
      scheduler.scheduleWithFixedDelay(this::beatLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** A node id for a node that was given none: the host name and a random suffix. */
  public static String defaultId() {
    String suffix = java.util.UUID.randomUUID().toString().substring(0, 8);
    String name = localHost().replaceAll("[^A-Za-z0-9.-]", "-");
    return (name.length() > 180 ? name.substring(0, 180) : name) + "-" + suffix;
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }

  /** This node as it announces itself now. */
  private NodeInfo self() {
    return new NodeInfo(id, host, started, clock.instant(), instances.running());
  }

  /**
   * Writes this node's entry now.
   *
   * @throws dev.faas4j.api.FaasException UNAVAILABLE if the store failed
   */
  public void beat() {
    if (nodes != null) {
      NodeInfo node = self();
      Registry.call(() -> {
        nodes.heartbeat(node);
        return null;
      }, "record this node's heartbeat", "");
    }
  }

  private void beatLogged() {
    try {
      beat();
      failing = false;
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("could not write this node's heartbeat (will retry): {}", e.getMessage());
        failing = true;
      }
    }
  }

  /**
   * The live nodes sharing the store, by id; this node alone if the store keeps no nodes.
   *
   * @throws dev.faas4j.api.FaasException UNAVAILABLE if the store failed
   */
  public List<NodeInfo> liveNodes() {
    if (nodes == null) {
      return List.of(self());
    }
    return Registry.call(() -> nodes.liveNodes(expiry), "list the nodes", "");
  }

  /** Stops the heartbeat and removes this node's entry (a failure is logged). Idempotent. */
  @Override
  public void close() {
    if (scheduler != null) {
      Threads.stop(scheduler);
    }
    if (nodes != null) {
      try {
        nodes.removeNode(id);
      } catch (Exception e) {
        LOG.warn("could not remove this node ({}) from the store's node list: {}", id, e.toString());
      }
    }
  }
}
