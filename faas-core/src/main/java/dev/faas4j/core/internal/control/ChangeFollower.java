package dev.faas4j.core.internal.control;

import dev.faas4j.api.Change;
import dev.faas4j.api.ChangeBatch;
import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.internal.runtime.Instances;
import dev.faas4j.core.internal.runtime.Threads;
import dev.faas4j.core.internal.telemetry.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node in step with the other nodes sharing its {@link FunctionStore}, by following
 * the store's change feed.
 *
 * <p>For each change it reloads the function it names into the {@link Registry} (or drops it),
 * then lets the instances follow: versions that are no longer stored are stopped and undeployed
 * here, a version another node stopped is stopped here too, and when the latest is kept warm a
 * new latest version starts here in the background. Routing reads the registry, so a moved
 * latest or alias takes effect as soon as the change is applied; a version that is not running
 * yet starts on its first request, which waits for it. Applying a change twice is harmless, so
 * this node's own changes, which come back through the feed, change nothing.
 *
 * <p>A feed that cannot say what changed ({@link ChangeBatch#resyncNeeded()}, or a listener told
 * so) makes it reload every function and stop the instances of versions no longer stored. A
 * change to a function is applied under that function's {@link Registry#write write lock}, so
 * it never interleaves with a change this node is making to it.
 *
 * <p>It follows on a background thread, at once when the store pushes a notification and every
 * {@code interval} in any case; with a zero interval there is no thread and {@link #sync()} is
 * called by hand. Thread-safe.
 */
public final class ChangeFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeFollower.class);
  private static final int BATCH = 500;
  private static final int MAX_ROUNDS = 1_000;

  private final FunctionStore store;
  private final Registry registry;
  private final Instances instances;
  private final Executor starter;
  private final boolean keepLatestWarm;
  private final Metrics metrics;
  private final ReentrantLock syncing = new ReentrantLock();
  /** Revisions of stops this node announced itself: already done here. */
  private final Set<Long> ownAnnouncements = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean resyncAsked = new AtomicBoolean();
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile ScheduledExecutorService scheduler;
  private volatile FunctionStore.Subscription subscription;
  /** The last revision applied here; guarded by {@link #syncing}. */
  private long applied;
  /** Whether the store has no feed (a single-node store): nothing to follow. */
  private volatile boolean feedless;
  private volatile boolean failing;

  /**
   * Reads the store's revision, so call it before the registry is first loaded: every change
   * after that load is then applied.
   *
   * @param starter runs background starts of a new latest version
   * @param keepLatestWarm whether a new latest version is started here as soon as it is known
   * @param metrics where the lag between a change's commit and its application here is reported
   * @throws FaasException UNAVAILABLE if the store cannot be read
   */
  /** Told the function's key when another node (or this one) changed its secrets. */
  private volatile java.util.function.Consumer<String> secretsChanged = name -> {};

  public ChangeFollower(FunctionStore store, Registry registry, Instances instances, Executor starter,
      boolean keepLatestWarm, Metrics metrics) {
    this.store = store;
    this.metrics = metrics;
    this.registry = registry;
    this.instances = instances;
    this.starter = starter;
    this.keepLatestWarm = keepLatestWarm;
    this.applied = call(store::currentRevision, "read the change feed's revision");
  }

  /** Sets what is told of a {@link Change.Kind#SECRETS_CHANGED} change: the function's key. */
  public void onSecretsChanged(java.util.function.Consumer<String> listener) {
    this.secretsChanged = java.util.Objects.requireNonNull(listener, "listener");
  }

  /**
   * Starts following in the background: subscribes to the store's notifications and polls every
   * {@code interval}. Does nothing for a zero interval.
   */
  public void start(Duration interval) {
    if (interval.isZero()) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(Threads.daemon("faas4j-sync-"));
    try {
      subscription = store.subscribe(this::notified);
    } catch (Exception e) {
      LOG.warn("the function store cannot push its changes ({}); polling it every {} ms", e.toString(),
          interval.toMillis());
    }
    long period = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::syncLogged, period, period, TimeUnit.MILLISECONDS);
  }

  private void notified(boolean resyncNeeded) {
    if (resyncNeeded) {
      resyncAsked.set(true);
    }
    ScheduledExecutorService executor = scheduler;
    if (executor != null && queued.compareAndSet(false, true)) {
      try {
        executor.execute(() -> {
          queued.set(false);
          syncLogged();
        });
      } catch (RejectedExecutionException closing) {
        queued.set(false);
      }
    }
  }

  private void syncLogged() {
    try {
      sync();
      if (failing) {
        LOG.info("following the function store's changes again");
        failing = false;
      }
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("could not follow the function store's changes (will retry): {}", e.toString());
        failing = true;
      }
    }
  }

  /**
   * Applies every change committed since the last call, reloading everything if the feed asks
   * for it; returns once this node has caught up with the store's revision as it was read.
   *
   * @throws FaasException UNAVAILABLE if the store failed; what was applied stays applied
   */
  public void sync() {
    syncing.lock();
    try {
      syncLocked();
    } finally {
      syncing.unlock();
    }
  }

  /**
   * {@link #sync()} unless another sync is busy for more than a moment or the store fails: for
   * queries, which then answer from what this node knows.
   */
  public void catchUp() {
    try {
      if (syncing.tryLock(1, TimeUnit.SECONDS)) {
        try {
          syncLocked();
        } finally {
          syncing.unlock();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (FaasException e) {
      LOG.debug("answering from this node's view: {}", e.getMessage());
    }
  }

  private void syncLocked() {
    if (feedless) {
      return;
    }
    for (int round = 0; round < MAX_ROUNDS; round++) {
      if (resyncAsked.getAndSet(false)) {
        LOG.info("the function store may have missed telling this node of changes (its connection was restored):"
            + " reloading every function");
        resync(call(store::currentRevision, "read the change feed's revision"));
      }
      long since = applied;
      ChangeBatch batch = call(() -> store.changesSince(since, BATCH), "read the change feed");
      if (batch.resyncNeeded()) {
        if (since == 0 && batch.currentRevision() == 0) {
          feedless = true;
          LOG.info("the function store has no change feed: this node does not follow other nodes");
          return;
        }
        LOG.info("the change feed cannot say what changed since revision {}: reloading every function", since);
        resync(batch.currentRevision());
        continue;
      }
      apply(batch.changes());
      applied = batch.lastRevision();
      long done = applied;
      ownAnnouncements.removeIf(revision -> revision <= done);
      if (!batch.hasMore()) {
        return;
      }
    }
  }

  private void apply(List<Change> changes) {
    Map<String, List<Change>> byFunction = new LinkedHashMap<>();
    for (Change change : changes) {
      byFunction.computeIfAbsent(change.function(), k -> new ArrayList<>()).add(change);
    }
    byFunction.forEach(this::applyToFunction);
    for (Change change : changes) {
      metrics.changeApplied(change.at());
    }
  }

  private void applyToFunction(String name, List<Change> changes) {
    boolean stateChanged = changes.stream().anyMatch(c -> c.kind().isStateChange());
    if (stateChanged) {
      registry.write(name, () -> {
        FunctionState before = registry.get(name).orElse(null);
        FunctionState after = registry.refresh(name).orElse(null);
        registry.forgetMissing(name);
        follow(name, before, after);
        return null;
      });
    }
    for (Change change : changes) {
      if (change.kind() == Change.Kind.VERSION_STOPPED && !ownAnnouncements.remove(change.revision())) {
        stopHere(new FunctionRef(name, change.version()));
      }
    }
    if (changes.stream().anyMatch(c -> c.kind() == Change.Kind.SECRETS_CHANGED)) {
      secretsChanged.accept(name);
    }
  }

  /** Reloads every function, keeping what did not change, and continues the feed from {@code revision}. */
  private void resync(long revision) {
    Map<String, FunctionState> stored = new HashMap<>();
    for (FunctionState state : call(store::loadAll, "load the functions")) {
      stored.put(state.key(), state);
    }
    Set<String> names = new LinkedHashSet<>(stored.keySet());
    registry.all().forEach(state -> names.add(state.key()));
    names.addAll(instances.registeredFunctions());
    for (String name : names) {
      registry.write(name, () -> {
        FunctionState before = registry.get(name).orElse(null);
        FunctionState loaded = stored.get(name);
        // A difference may be a change made here after loadAll: ask the store again.
        FunctionState after = Objects.equals(before, loaded) ? loaded : registry.refresh(name).orElse(null);
        registry.forgetMissing(name);
        follow(name, before, after);
        return null;
      });
    }
    applied = revision;
  }

  /** Lets this node's instances follow a function's move from {@code before} to {@code after} (null: absent). */
  private void follow(String name, FunctionState before, FunctionState after) {
    for (FunctionRef ref : instances.registered(name)) {
      if (after == null || after.version(ref.version()).isEmpty()) {
        try {
          instances.remove(ref);
          LOG.info("removed {}: it was deleted on another node", ref);
        } catch (RuntimeException e) {
          LOG.warn("could not remove {} after it was deleted: {}", ref, e.getMessage());
        }
      }
    }
    if (keepLatestWarm && after != null && (before == null || !before.latest().equals(after.latest()))) {
      FunctionService.startInBackground(instances, starter, after.latestVersion(), "new latest");
    }
    if (keepLatestWarm && after != null) {
      Set<String> weighted = FunctionService.weightedVersions(after);
      weighted.removeAll(FunctionService.weightedVersions(before));
      for (String version : weighted) {
        FunctionService.startInBackground(instances, starter, after.version(version).orElseThrow(), "newly weighted");
      }
    }
  }

  private void stopHere(FunctionRef ref) {
    if (!instances.isRegistered(ref)) {
      return;
    }
    try {
      instances.stop(ref);
      LOG.info("stopped {}: it was stopped on another node", ref);
    } catch (RuntimeException e) {
      LOG.warn("could not stop {} after it was stopped on another node: {}", ref, e.getMessage());
    }
  }

  /**
   * Tells the other nodes that a version was stopped here, so that they stop it too.
   *
   * @throws FaasException UNAVAILABLE if the store failed: the version is stopped here only
   */
  public void announceStopped(FunctionRef ref) {
    long revision = Registry.call(() -> store.announce(ref.name(), Change.Kind.VERSION_STOPPED, ref.version()),
        "tell the other nodes that " + ref + " was stopped", "; it is stopped on this node only");
    if (revision > 0) {
      ownAnnouncements.add(revision);
    }
  }

  /** Stops following: ends the subscription and the background thread. Idempotent. */
  @Override
  public void close() {
    FunctionStore.Subscription s = subscription;
    if (s != null) {
      s.close();
    }
    ScheduledExecutorService executor = scheduler;
    if (executor != null) {
      Threads.stop(executor);
    }
  }

  private static <T> T call(Registry.StoreCall<T> call, String what) {
    return Registry.call(call, what, "");
  }
}
