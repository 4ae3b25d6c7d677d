package dev.faas4j.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices containers that die: subscribes to the engine's "die" events for this instance's
 * containers, and every two seconds reopens that stream if it ended and compares the ready
 * replicas with what the engine runs (in case an event was missed).
 *
 * <p>Thread-safe; owns one daemon thread until {@link #close()}.
 */
final class DeathWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeathWatch.class);
  private static final Duration INTERVAL = Duration.ofSeconds(2);

  private final Engine engine;
  private final Containers containers;
  private final Function<String, VersionState> owner;
  private final Supplier<Collection<VersionState>> versions;
  private final ScheduledExecutorService timer;
  private volatile ResultCallback.Adapter<Event> events;
  private volatile boolean closed;

  /**
   * @param owner the version a container belongs to, or null if it is not this instance's
   * @param versions the deployed versions, whose ready replicas are checked
   */
  DeathWatch(Engine engine, Containers containers, Function<String, VersionState> owner,
      Supplier<Collection<VersionState>> versions) {
    this.engine = engine;
    this.containers = containers;
    this.owner = owner;
    this.versions = versions;
    this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "faas4j-docker-watch-" + engine.settings().instanceId());
      thread.setDaemon(true);
      return thread;
    });
  }

  void start() {
    subscribe();
    timer.scheduleWithFixedDelay(this::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void subscribe() {
    ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event event) {
        String containerId = event.getActor() != null && event.getActor().getId() != null
            ? event.getActor().getId() : event.getId();
        if (containerId == null) {
          return;
        }
        VersionState version = owner.apply(containerId);
        if (version != null) {
          String exitCode = event.getActor() != null && event.getActor().getAttributes() != null
              ? event.getActor().getAttributes().getOrDefault("exitCode", "?") : "?";
          version.died(containerId, exitCode);
          LOG.info("container {} of {} exited with code {}", containerId, version.spec.ref(), exitCode);
        }
      }

      @Override
      public void onError(Throwable throwable) {
        if (!closed) {
          LOG.debug("Docker event stream ended: {}", throwable.toString());
        }
        streamEnded(this);
      }

      @Override
      public void onComplete() {
        streamEnded(this);
      }
    };
    events = callback;
    engine.client().eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withEventFilter("die")
        .withLabelFilter(Map.of(Containers.LABEL_OWNER, engine.settings().instanceId()))
        .exec(callback);
  }

  private synchronized void streamEnded(ResultCallback.Adapter<Event> stream) {
    if (events == stream) {
      events = null;
    }
  }

  private void check() {
    if (closed) {
      return;
    }
    try {
      synchronized (this) {
        if (events == null && !closed) {
          subscribe();
        }
      }
      Map<String, VersionState> readyBefore = new LinkedHashMap<>();
      for (VersionState version : versions.get()) {
        for (Replica replica : version.replicas()) {
          readyBefore.put(replica.containerId(), version);
        }
      }
      if (readyBefore.isEmpty()) {
        return;
      }
      Set<String> running = new HashSet<>();
      for (Container container : containers.listOwned(false)) {
        running.add(container.getId());
      }
      readyBefore.forEach((containerId, version) -> {
        if (!running.contains(containerId)) {
          version.died(containerId, "?");
        }
      });
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.debug("Docker watch failed: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    ResultCallback.Adapter<Event> stream = events;
    if (stream != null) {
      Engine.closeQuietly(stream);
    }
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
