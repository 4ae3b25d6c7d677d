package dev.faas4j.core.testing;

import dev.faas4j.api.AsyncCall;
import dev.faas4j.api.CallQueue;
import dev.faas4j.api.Change;
import dev.faas4j.api.ChangeBatch;
import dev.faas4j.api.ChangeListener;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.NodeInfo;
import dev.faas4j.api.NodeRegistry;
import dev.faas4j.api.SecretStore;
import dev.faas4j.api.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FunctionStore} in a map: nothing survives the JVM. The default store of
 * {@code Faas.builder()}, and the one to use in unit tests.
 *
 * <p>Thread-safe; follows the store contract, including the revision checks and the change feed
 * (for the one JVM it lives in), a {@link NodeRegistry} stamped with its clock, and a
 * {@link SecretStore} (of sealed values, as every store), and a {@link CallQueue} for one JVM. Subscribers
 * are called on the thread that made the change, after
 * the store's lock is released, one call at a time.
 */
public final class InMemoryStore implements FunctionStore, NodeRegistry, SecretStore, CallQueue {

  /** How many changes the feed keeps by default. */
  public static final int DEFAULT_KEPT_CHANGES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(InMemoryStore.class);

  private final int keptChanges;
  private final Clock clock;
  private final Map<String, FunctionState> functions = new HashMap<>();
  private final ArrayDeque<Change> changes = new ArrayDeque<>();
  private long revision;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, NodeInfo> nodes = new TreeMap<>();
  /** Sealed secrets by function key, then name; guarded by {@code this}. */
  private final Map<String, Map<String, String>> secrets = new HashMap<>();
  /** Calls by id, in the order they were accepted, with their claims; guarded by {@code this}. */
  private final Map<String, AsyncCall> calls = new java.util.LinkedHashMap<>();
  private final Map<String, Map.Entry<String, Instant>> claims = new HashMap<>();
  /** Held while listeners are called, so that no listener is called twice at once. */
  private final Object calling = new Object();

  /** A store whose feed keeps {@link #DEFAULT_KEPT_CHANGES} changes. */
  public InMemoryStore() {
    this(DEFAULT_KEPT_CHANGES, Clock.systemUTC());
  }

  /**
   * A store whose feed keeps the last {@code keptChanges} changes and stamps them with
   * {@code clock}.
   *
   * @throws IllegalArgumentException if {@code keptChanges < 1}
   */
  public InMemoryStore(int keptChanges, Clock clock) {
    if (keptChanges < 1) {
      throw new IllegalArgumentException("keptChanges must be at least 1: " + keptChanges);
    }
    this.keptChanges = keptChanges;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized List<FunctionState> loadAll() {
    return List.copyOf(functions.values());
  }

  @Override
  public synchronized Optional<FunctionState> load(String name) {
    return Optional.ofNullable(functions.get(Validation.canonical(name)));
  }

  @Override
  public boolean save(FunctionState state) {
    boolean recorded;
    synchronized (this) {
      FunctionState stored = functions.get(state.key());
      long storedRevision = stored == null ? 0 : stored.revision();
      if (storedRevision != state.revision() - 1) {
        return false;
      }
      functions.put(state.key(), state);
      long before = revision;
      recordDifferences(stored, state);
      recorded = revision != before;
    }
    if (recorded) {
      tellListeners();
    }
    return true;
  }

  @Override
  public boolean delete(String name, long revision) {
    String key = Validation.canonical(name);
    synchronized (this) {
      FunctionState stored = functions.get(key);
      if (stored == null || stored.revision() != revision) {
        return false;
      }
      functions.remove(key);
      record(key, Change.Kind.FUNCTION_DELETED, null, null);
    }
    tellListeners();
    return true;
  }

  @Override
  public synchronized long currentRevision() {
    return revision;
  }

  @Override
  public synchronized ChangeBatch changesSince(long since, int max) {
    FunctionStore.checkFeedQuery(since, max);
    long oldestKept = changes.isEmpty() ? revision + 1 : changes.peekFirst().revision();
    if (since > revision || since + 1 < oldestKept) {
      return ChangeBatch.resync(revision);
    }
    List<Change> batch = new ArrayList<>();
    for (Change change : changes) {
      if (batch.size() == max) {
        break;
      }
      if (change.revision() > since) {
        batch.add(change);
      }
    }
    return new ChangeBatch(batch, revision, false);
  }

  @Override
  public long announce(String function, Change.Kind kind, String version) {
    FunctionStore.checkAnnouncement(function, kind, version);
    long recorded;
    synchronized (this) {
      record(function, kind, version, null);
      recorded = revision;
    }
    tellListeners();
    return recorded;
  }

  @Override
  public Subscription subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public synchronized void heartbeat(NodeInfo node) {
    nodes.put(node.id(), new NodeInfo(node.id(), node.host(), node.started(), clock.instant(), node.running()));
  }

  @Override
  public synchronized List<NodeInfo> liveNodes(Duration expiry) {
    NodeRegistry.checkExpiry(expiry);
    Instant oldest = clock.instant().minus(expiry);
    return nodes.values().stream().filter(node -> !node.lastSeen().isBefore(oldest)).toList();
  }

  @Override
  public synchronized void removeNode(String id) {
    nodes.remove(id);
  }

  /** Forgets the listeners; the functions and nodes stay readable. */
  @Override
  public void close() {
    listeners.clear();
  }

  /** Records what a save from {@code before} (null for a new function) to {@code after} changed. */
  private void recordDifferences(FunctionState before, FunctionState after) {
    String key = after.key();
    Map<String, FunctionVersion> oldVersions = new HashMap<>();
    Map<String, String> oldAliases = new TreeMap<>();
    if (before != null) {
      before.versions().forEach(v -> oldVersions.put(v.version(), v));
      oldAliases.putAll(before.aliases());
    }
    for (FunctionVersion version : after.versions()) {
      if (!version.equals(oldVersions.get(version.version()))) {
        record(key, Change.Kind.DEPLOYED, version.version(), null);
      }
    }
    if (before == null || !before.latest().equals(after.latest())) {
      record(key, Change.Kind.LATEST_MOVED, after.latest(), null);
    }
    new TreeMap<>(after.aliases()).forEach((alias, target) -> {
      if (!target.equals(oldAliases.get(alias))
          || (before != null && !Objects.equals(before.splits().get(alias), after.splits().get(alias)))) {
        record(key, Change.Kind.ALIAS_SET, target, alias);
      }
    });
    oldAliases.forEach((alias, target) -> {
      if (!after.aliases().containsKey(alias)) {
        record(key, Change.Kind.ALIAS_REMOVED, target, alias);
      }
    });
    new TreeMap<>(oldVersions).keySet().forEach(version -> {
      if (after.version(version).isEmpty()) {
        record(key, Change.Kind.VERSION_DELETED, version, null);
      }
    });
  }

  /** Appends one change; the caller holds the store's lock. */
  private void record(String function, Change.Kind kind, String version, String alias) {
    revision++;
    changes.addLast(new Change(revision, function, kind, version, alias, clock.instant()));
    while (changes.size() > keptChanges) {
      changes.removeFirst();
    }
  }

  private void tellListeners() {
    synchronized (calling) {
      for (ChangeListener listener : listeners) {
        try {
          listener.changed(false);
        } catch (RuntimeException e) {
          LOG.warn("a change listener of the in-memory store failed", e);
        }
      }
    }
  }

  @Override
  public synchronized void putSecret(String function, String key, String sealed) {
    secrets.computeIfAbsent(Validation.canonical(function), k -> new TreeMap<>())
        .put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(sealed, "sealed"));
  }

  @Override
  public synchronized boolean deleteSecret(String function, String key) {
    Map<String, String> of = secrets.get(Validation.canonical(function));
    return of != null && of.remove(key) != null;
  }

  @Override
  public synchronized Map<String, String> secrets(String function) {
    return Map.copyOf(secrets.getOrDefault(Validation.canonical(function), Map.of()));
  }

  @Override
  public synchronized boolean enqueue(AsyncCall call, int maxPending) {
    if (pending() >= maxPending) {
      return false;
    }
    calls.put(call.id(), call);
    return true;
  }

  @Override
  public synchronized List<AsyncCall> claim(String node, int max, Instant now, Duration lease) {
    List<AsyncCall> claimed = new ArrayList<>();
    calls.values().stream()
        .filter(call -> call.state().isPending() && !call.notBefore().isAfter(now))
        .filter(call -> !claims.containsKey(call.id()) || claims.get(call.id()).getValue().isBefore(now))
        .sorted(java.util.Comparator.comparing(AsyncCall::notBefore))
        .limit(max)
        .forEach(claimed::add);
    claimed.forEach(call -> claims.put(call.id(), Map.entry(node, now.plus(lease))));
    return claimed;
  }

  @Override
  public synchronized boolean update(AsyncCall call, String node) {
    Map.Entry<String, Instant> claim = claims.get(call.id());
    if (claim == null || !claim.getKey().equals(node)) {
      return false;
    }
    claims.remove(call.id());
    calls.put(call.id(), call);
    return true;
  }

  @Override
  public synchronized int release(String node) {
    int before = claims.size();
    claims.values().removeIf(claim -> claim.getKey().equals(node));
    return before - claims.size();
  }

  @Override
  public synchronized Optional<AsyncCall> call(String id) {
    return Optional.ofNullable(calls.get(id));
  }

  @Override
  public synchronized int pending() {
    return (int) calls.values().stream().filter(call -> call.state().isPending()).count();
  }

  @Override
  public synchronized int prune(Instant before) {
    int count = calls.size();
    calls.values().removeIf(call -> !call.state().isPending() && call.updated().isBefore(before));
    return count - calls.size();
  }
}
