package dev.faas4j.workerd.internal;

import dev.faas4j.api.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cgroup v1: one hierarchy per controller (memory, cpu and pids may each be mounted on their own).
 * The provider's directory in each is {@code <the JVM's own cgroup>/faas4j-<id>}, so whatever limits
 * the JVM's group has bound the functions too. Limits written:
 * <ul>
 *   <li>memory: {@code memory.limit_in_bytes}, and {@code memory.memsw.limit_in_bytes} (memory plus
 *       swap) to the same value where swap accounting exists, so the limit cannot be dodged by
 *       swapping; over it the kernel's OOM killer ends the process;
 *   <li>cpu: {@code cpu.cfs_quota_us} of a {@value #PERIOD_US} µs {@code cpu.cfs_period_us};
 *   <li>pids: {@code pids.max}.
 * </ul>
 * It also puts each process in a group of the {@code freezer} hierarchy when one is mounted and
 * writable, so that {@link Freezer} can pause it through {@code freezer.state}; no limit needs it.
 */
final class CgroupsV1 extends CgroupTree {

  private static final Logger LOG = LoggerFactory.getLogger(CgroupsV1.class);

  static final int PERIOD_US = 100_000;
  static final String FREEZER = "freezer";
  /** The hierarchies a process gets a group in: the limits' controllers, then the freezer. */
  private static final List<String> HIERARCHIES = List.of("memory", "cpu", "pids", FREEZER);

  private CgroupsV1(Map<String, Path> usable, Map<String, String> unusable) {
    super("cgroup v1", usable, unusable);
  }

  /** The v1 tree, or empty when none of memory, cpu and pids is mounted as a v1 hierarchy. */
  static Optional<Cgroups> open(List<Mounts.Mount> mounts, String id) {
    Map<String, Path> usable = new LinkedHashMap<>();
    Map<String, String> unusable = new LinkedHashMap<>();
    boolean anyMounted = false;
    for (String controller : HIERARCHIES) {
      Optional<Mounts.Mount> mount = mounts.stream()
          .filter(m -> m.version() == 1 && m.controllers().contains(controller)).findFirst();
      if (mount.isEmpty()) {
        unusable.put(controller, "no v1 hierarchy carries it");
        continue;
      }
      anyMounted = true;
      Path providerDir;
      try {
        providerDir = Cgroups.child(mount.get().ownDir(), id);
        Files.createDirectories(providerDir);
      } catch (IOException | RuntimeException e) {
        unusable.put(controller, "cannot create a group under " + mount.get().ownDir() + " (" + e + ")");
        continue;
      }
      String probe = switch (controller) {
        case "memory" -> "memory.limit_in_bytes";
        case "cpu" -> "cpu.cfs_quota_us";
        case FREEZER -> "freezer.state";
        default -> "pids.max";
      };
      if (!Files.isWritable(providerDir.resolve(probe))) {
        unusable.put(controller, providerDir.resolve(probe) + " is missing or not writable");
        CgroupTree.removeDir(providerDir);
        continue;
      }
      usable.put(controller, providerDir);
    }
    return anyMounted ? Optional.of(new CgroupsV1(usable, unusable)) : Optional.empty();
  }

  @Override
  void writeLimit(String controller, Path dir, Limits limits) throws IOException {
    switch (controller) {
      case "memory" -> {
        if (limits.memoryBytes() > 0) {
          String bytes = Long.toString(limits.memoryBytes());
          Cgroups.write(dir.resolve("memory.limit_in_bytes"), bytes);
          Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
          if (Files.exists(memsw)) {
            Cgroups.write(memsw, bytes);
          }
        }
      }
      case "cpu" -> {
        if (limits.cpus() > 0) {
          Cgroups.write(dir.resolve("cpu.cfs_period_us"), Integer.toString(PERIOD_US));
          Cgroups.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros(limits.cpus())));
        }
      }
      case "pids" -> {
        if (limits.pids() > 0) {
          Cgroups.write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
        }
      }
      case FREEZER -> {
        // no limit: the group exists so that the process can be frozen
      }
      default -> throw new IllegalArgumentException(controller);
    }
  }

  /**
   * A sibling of the provider's cpu group ({@code faas4j-<id>-exiting}) with {@code cpu.shares} 2:
   * a sibling, because shares divide the CPU only among the children of one parent, and the JVM
   * runs in that parent. Only the cpu membership of the processes changes.
   */
  @Override
  public Optional<Path> deprioritize(List<Long> pids) {
    Optional<Path> cpu = providerDir("cpu");
    if (cpu.isEmpty()) {
      return Optional.empty();
    }
    Path exiting = cpu.get().resolveSibling(cpu.get().getFileName() + "-exiting");
    if (pids.isEmpty()) {
      // a run killed while its leftovers exited left the (by now empty) group: it goes now
      try {
        Files.deleteIfExists(exiting); // once: this is on the start path, and a busy group can wait
      } catch (IOException e) {
        LOG.debug("cannot remove {} yet: {}", exiting, e.toString());
      }
      return Optional.empty();
    }
    try {
      Files.createDirectories(exiting);
      Cgroups.write(exiting.resolve("cpu.shares"), "2");
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot make a low-priority group for leftovers in {}: {}", exiting, e.toString());
      CgroupTree.removeDir(exiting);
      return Optional.empty();
    }
    for (long pid : pids) {
      try {
        Cgroups.write(exiting.resolve("cgroup.procs"), Long.toString(pid));
      } catch (IOException e) {
        LOG.debug("leftover pid {} stays in its group: {}", pid, e.toString()); // gone already, say
      }
    }
    return Optional.of(exiting);
  }

  @Override
  List<String> hierarchies() {
    return HIERARCHIES;
  }

  /** The CPU time per period that {@code cpus} cores come to; at least 1 ms (the kernel's minimum). */
  static long quotaMicros(double cpus) {
    return Math.max(1000, Math.round(cpus * PERIOD_US));
  }
}
