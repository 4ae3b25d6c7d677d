package dev.faas4j.docker.internal;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the provider knows about one deployed version: its spec, its ready containers, and the
 * last lines of containers it removed.
 *
 * <p>Thread-safe. Lifecycle changes ({@code scale}, {@code updateEnv}, {@code freeze}) hold the
 * state's monitor; deaths are reported concurrently by the watcher. The list of
 * ready replicas is an immutable snapshot behind a volatile field, so {@link #endpoint()} takes
 * no lock.
 */
final class VersionState {

  /** The definition new containers are created from; changed only by {@code updateEnv}. */
  volatile FunctionSpec spec;
  final ContainerSettings container;

  private final Object lock = new Object();
  private volatile List<Replica> ready = List.of();
  private final AtomicInteger next = new AtomicInteger();
  private volatile int desired;
  private volatile VersionStatus.State phase = VersionStatus.State.STOPPED;
  private volatile String detail = "";
  private final ArrayDeque<LogLine> retained = new ArrayDeque<>();
  private final int retainedMax;
  /** The memory the paused containers held when they were paused, or -1 when not frozen. */
  private volatile long frozenBytes = -1;

  VersionState(FunctionSpec spec, ContainerSettings container, int retainedMax) {
    this.spec = spec;
    this.container = container;
    this.retainedMax = retainedMax;
  }

  /** A ready replica's endpoint, round-robin; no lock, no engine call. */
  Optional<Endpoint> endpoint() {
    List<Replica> snapshot = ready;
    if (snapshot.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(snapshot.get(Math.floorMod(next.getAndIncrement(), snapshot.size())).endpoint());
  }

  List<Replica> replicas() {
    return ready;
  }

  void add(Replica replica) {
    synchronized (lock) {
      List<Replica> copy = new ArrayList<>(ready);
      copy.add(replica);
      ready = List.copyOf(copy);
    }
  }

  /** Forgets a replica; returns it, or null if it was not known. */
  Replica remove(String containerId) {
    synchronized (lock) {
      List<Replica> copy = new ArrayList<>(ready);
      for (int i = 0; i < copy.size(); i++) {
        if (copy.get(i).containerId().equals(containerId)) {
          Replica removed = copy.remove(i);
          ready = List.copyOf(copy);
          return removed;
        }
      }
      return null;
    }
  }

  /** The watcher saw a container of this version die. */
  void died(String containerId, String exitCode) {
    Replica replica = remove(containerId);
    if (replica != null) {
      detail = "container " + replica.containerName() + " exited with code " + exitCode;
      if (ready.isEmpty() && desired > 0) {
        phase = VersionStatus.State.FAILED;
      }
    }
  }

  void starting(int replicas) {
    desired = replicas;
    phase = VersionStatus.State.STARTING;
  }

  void scaled(int replicas) {
    desired = replicas;
    phase = replicas == 0 ? VersionStatus.State.STOPPED : VersionStatus.State.RUNNING;
    detail = "";
  }

  void failed(int replicas, String why) {
    desired = replicas;
    phase = ready.isEmpty() ? VersionStatus.State.FAILED : VersionStatus.State.RUNNING;
    detail = why;
  }

  /** The containers were paused, holding {@code bytes}; or unpaused, with -1. */
  void frozen(long bytes) {
    frozenBytes = bytes;
  }

  boolean isFrozen() {
    return frozenBytes >= 0;
  }

  long frozenBytes() {
    return Math.max(0, frozenBytes);
  }

  VersionStatus status() {
    List<Replica> snapshot = ready;
    VersionStatus.State state = phase;
    if (state == VersionStatus.State.RUNNING && !snapshot.isEmpty() && isFrozen()) {
      state = VersionStatus.State.FROZEN;
    }
    if (state == VersionStatus.State.RUNNING && snapshot.isEmpty()) {
      state = VersionStatus.State.FAILED;
    }
    return new VersionStatus(spec.ref(), state, desired, snapshot.size(), detail);
  }

  /** Keeps the last lines of a container that is being removed. */
  void retain(List<LogLine> lines) {
    synchronized (retained) {
      for (LogLine line : lines) {
        retained.addLast(line);
        while (retained.size() > retainedMax) {
          retained.removeFirst();
        }
      }
    }
  }

  List<LogLine> retained() {
    synchronized (retained) {
      return List.copyOf(retained);
    }
  }
}
