package dev.faas4j.workerd.internal;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.workerd.internal.Launcher.Running;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The replicas of one version beyond its first process (which {@link VersionSlot} keeps as its
 * current one): each a {@code workerd} process of its own, in a directory of its own ({@code
 * <version>.r<n>}, {@code n} never reused), in a cgroup of its own (the {@link Launcher} creates one
 * per process) and on a port of its own.
 *
 * <p>Replicas taken away ({@link #resize} to fewer, {@link #drainAll}) stop receiving requests at
 * once and are stopped after the drain period, so that the requests they serve can finish. Changes
 * happen under the owning slot's lock; {@link #endpoints} and {@link #alive} take none.
 */
final class ExtraReplicas {

  private final Launcher launcher;
  private final Path versionDir;
  private final Logger log;
  /** Called when a replica exits without being asked to, after its directory was deleted. */
  private final Consumer<Running> crashed;
  /** The replicas that serve, by their number: the highest are the newest. */
  private final ConcurrentSkipListMap<Integer, Running> serving = new ConcurrentSkipListMap<>();
  /** Replicas taken away, each with the stop that runs after the drain period (or at once, when everything stops). */
  private final Map<Running, Runnable> draining = new ConcurrentHashMap<>();
  /** The number of the next replica's directory; guarded by the slot's lock. */
  private int next = 1;

  ExtraReplicas(Launcher launcher, Path versionDir, Logger log, Consumer<Running> crashed) {
    this.launcher = launcher;
    this.versionDir = versionDir;
    this.log = log;
    this.crashed = crashed;
  }

  /**
   * Starts or takes away replicas until {@code count} serve, forgetting those that died; new ones run
   * {@code spec}. Starts one at a time; a failed start leaves the replicas started before it serving.
   */
  void resize(int count, FunctionSpec spec, NetworkPolicy network, LogBuffer logs) throws StartFailure, IOException {
    serving.values().removeIf(running -> !running.process().isAlive());
    while (serving.size() > count) {
      drain(serving.pollLastEntry().getValue());
    }
    while (serving.size() < count) {
      launcher.ensureOpen();
      int number = next++;
      Path dir = versionDir.resolveSibling(versionDir.getFileName() + ".r" + number);
      Running running = launcher.start(spec, network, dir, log, logs);
      serving.put(number, running);
      running.process().onExit().thenRun(() -> {
        try {
          onExit(number, running);
        } finally {
          running.group().remove();
        }
      });
      log.info("{} runs replica {} on {}", spec.ref(), number + 1, running.process().endpoint());
    }
  }

  private void onExit(int number, Running running) {
    if (running.process().stopRequested()) {
      return;
    }
    serving.remove(number, running);
    launcher.deleteQuietly(running.dir());
    crashed.accept(running);
  }

  /** Takes every replica away (they drain); the next {@link #resize} starts new ones. */
  void drainAll() {
    while (!serving.isEmpty()) {
      drain(serving.pollLastEntry().getValue());
    }
  }

  private void drain(Running running) {
    Runnable stop = new Runnable() {
      @Override
      public void run() {
        if (draining.remove(running, this)) {
          launcher.stop(running);
        }
      }
    };
    draining.put(running, stop);
    launcher.afterDrainPeriod(stop);
  }

  /** Stops every replica, serving or draining, and waits for each. */
  void stopAll() {
    List<Running> all = new ArrayList<>(serving.values());
    serving.clear();
    all.forEach(launcher::stop);
    Set.copyOf(draining.values()).forEach(Runnable::run);
  }

  /** Sends TERM to every replica without waiting, so that a closing provider stops all at once. */
  void requestStop() {
    serving.values().forEach(running -> running.process().requestStop());
    draining.keySet().forEach(running -> running.process().requestStop());
  }

  /** The endpoints of the replicas that serve and are alive, oldest first. */
  List<Endpoint> endpoints() {
    List<Endpoint> endpoints = new ArrayList<>(serving.size());
    for (Running running : serving.values()) {
      if (running.process().isAlive()) {
        endpoints.add(running.process().endpoint());
      }
    }
    return endpoints;
  }

  /** How many replicas serve and are alive. */
  int alive() {
    int alive = 0;
    for (Running running : serving.values()) {
      alive += running.process().isAlive() ? 1 : 0;
    }
    return alive;
  }
}
