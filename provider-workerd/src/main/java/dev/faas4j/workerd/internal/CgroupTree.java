package dev.faas4j.workerd.internal;

import dev.faas4j.api.Limits;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What cgroup v1 and v2 have in common: a provider directory per controller (in v2 one directory
 * for all of them), a group per process in each, removal with {@code rmdir}. Subclasses write the
 * limit files, which differ. Thread-safe: it holds no mutable state but the file system's.
 */
abstract class CgroupTree implements Cgroups {

  private static final Logger LOG = LoggerFactory.getLogger(CgroupTree.class);

  /** The provider directory of each usable controller. */
  private final Map<String, Path> usable;
  /** Why each controller that is not usable is not. */
  private final Map<String, String> unusable;
  private final String version;
  /**
   * Numbers each group, so two processes of one version never share a directory: the removal of an
   * old process's group (retried while the kernel still holds it, or left by an earlier run and
   * removed in the background) cannot delete its successor's. A number still taken is skipped.
   */
  private final AtomicLong groups = new AtomicLong();

  CgroupTree(String version, Map<String, Path> usable, Map<String, String> unusable) {
    this.version = version;
    this.usable = Map.copyOf(usable);
    this.unusable = Map.copyOf(unusable);
  }

  /** Writes the limit of {@code controller} from {@code limits} into the group {@code dir}. */
  abstract void writeLimit(String controller, Path dir, Limits limits) throws IOException;

  /** The hierarchies each process gets a group in, in order: {@link Cgroups#CONTROLLERS} unless overridden. */
  List<String> hierarchies() {
    return CONTROLLERS;
  }

  /** The provider directory of {@code controller}, if it is usable here. */
  final Optional<Path> providerDir(String controller) {
    return Optional.ofNullable(usable.get(controller));
  }

  /** Whether {@code controller} is usable here. */
  final boolean uses(String controller) {
    return usable.containsKey(controller);
  }

  /** Whether any controller is usable; a tree without one is replaced by {@link Cgroups#none}. */
  final boolean isUsable() {
    return !usable.isEmpty();
  }

  @Override
  public String describe() {
    StringBuilder out = new StringBuilder(version);
    usable.forEach((controller, dir) -> out.append("; ").append(controller).append(" in ").append(dir));
    unusable.forEach((controller, why) -> out.append("; no ").append(controller).append(": ").append(why));
    return out.toString();
  }

  @Override
  public Optional<String> refusal(Limits limits) {
    for (String controller : CONTROLLERS) {
      if (usable.containsKey(controller)) {
        continue;
      }
      for (String limit : Cgroups.limitsNeeding(controller, limits)) {
        return Optional.of(limit + " needs a writable cgroup " + controller + " controller; " + version + ": "
            + unusable.get(controller) + ". Run as root, or delegate a cgroup v2 subtree with the "
            + controller + " controller to this user and give it to WorkerdProvider.builder().cgroupRoot(...)");
      }
    }
    return Optional.empty();
  }

  @Override
  public Group create(String function, String version, Limits limits) throws IOException {
    return createNumbered(Cgroups.groupName(function, version) + ".", limits);
  }

  @Override
  public Group createSpare() throws IOException {
    return createNumbered("spare.", Limits.NONE);
  }

  /** A group named {@code prefix} and the next free number. */
  private Group createNumbered(String prefix, Limits limits) throws IOException {
    for (;;) {
      try {
        return create(prefix + groups.incrementAndGet(), limits);
      } catch (FileAlreadyExistsException taken) {
        // a group of an earlier run on this data dir, still being removed: take the next number
      }
    }
  }

  private Group create(String name, Limits limits) throws IOException {
    Map<String, Path> dirs = new LinkedHashMap<>();
    List<Path> created = new ArrayList<>();
    try {
      for (String controller : hierarchies()) {
        Path providerDir = usable.get(controller);
        if (providerDir == null) {
          continue;
        }
        Path dir = Cgroups.child(providerDir, name);
        if (!dirs.containsValue(dir)) {
          Files.createDirectory(dir);
          created.add(dir);
        }
        dirs.put(controller, dir);
        writeLimit(controller, dir, limits);
      }
    } catch (IOException | RuntimeException e) {
      created.forEach(CgroupTree::removeDir);
      throw e;
    }
    return new ProcessGroup(dirs);
  }

  @Override
  public List<Path> leftovers() {
    List<Path> found = new ArrayList<>();
    for (Path providerDir : new LinkedHashSet<>(usable.values())) {
      try (DirectoryStream<Path> groups = Files.newDirectoryStream(providerDir, Files::isDirectory)) {
        groups.forEach(found::add);
      } catch (IOException e) {
        LOG.warn("cannot list leftover cgroups in {}: {}", providerDir, e.toString());
      }
    }
    return found;
  }

  @Override
  public List<Path> removeLeftovers(List<Path> groups) {
    return groups.stream().filter(CgroupTree::removeDir).toList();
  }

  @Override
  public void close() {
    for (Path providerDir : new LinkedHashSet<>(usable.values())) {
      removeDir(providerDir);
    }
  }

  /**
   * Removes a cgroup directory. The kernel may take a moment after the last process was reaped to
   * let go of the group ({@code EBUSY}): a few retries over up to a second cover that.
   *
   * @return whether it is gone
   */
  static boolean removeDir(Path dir) {
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        Files.delete(dir);
        return true;
      } catch (NoSuchFileException gone) {
        return true;
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    LOG.warn("cannot remove cgroup {}: {}", dir, last);
    return false;
  }

  /** The groups of one process. */
  private final class ProcessGroup implements Group {
    private final Map<String, Path> dirs;
    private final AtomicBoolean removing = new AtomicBoolean();
    /** Done once the first {@link #remove} call has removed (or given up on) the directories. */
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    ProcessGroup(Map<String, Path> dirs) {
      this.dirs = Map.copyOf(dirs);
    }

    @Override
    public List<Path> procsFiles() {
      return new LinkedHashSet<>(dirs.values()).stream().map(dir -> dir.resolve("cgroup.procs")).toList();
    }

    @Override
    public Optional<Path> dir(String controller) {
      return Optional.ofNullable(dirs.get(controller));
    }

    @Override
    public void limit(Limits limits) throws IOException {
      for (Map.Entry<String, Path> entry : dirs.entrySet()) {
        writeLimit(entry.getKey(), entry.getValue(), limits);
      }
    }

    /**
     * Removes the directories once; a second caller (the process's exit callback and a stop race
     * for it) returns only when the first is done, so a group is gone once any remove returns.
     */
    @Override
    public void remove() {
      if (removing.compareAndSet(false, true)) {
        try {
          new LinkedHashSet<>(dirs.values()).forEach(CgroupTree::removeDir);
        } finally {
          removed.complete(null);
        }
      } else {
        removed.join();
      }
    }
  }
}
