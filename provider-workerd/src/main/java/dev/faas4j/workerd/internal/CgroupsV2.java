package dev.faas4j.workerd.internal;

import dev.faas4j.api.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v2 (the unified hierarchy): one tree for every controller. The provider's directory is
 * {@code <root>/faas4j-<id>}, where root is a delegated directory given to the builder, or the JVM's
 * own cgroup. A controller reaches a process's group only if each directory above it lists it in
 * {@code cgroup.subtree_control}; this enables it in root (which fails when root holds processes
 * itself and is not the hierarchy's root: v2 gives controllers only to groups without processes of
 * their own, hence the delegated, empty subtree) and in the provider's directory. Limits written:
 * <ul>
 *   <li>memory: {@code memory.max}, {@code memory.swap.max} = 0 where swap is accounted, and
 *       {@code memory.oom.group} = 1 so an OOM ends the whole process;
 *   <li>cpu: {@code cpu.max} = {@code "<quota> 100000"};
 *   <li>pids: {@code pids.max}.
 * </ul>
 */
final class CgroupsV2 extends CgroupTree {

  private CgroupsV2(Map<String, Path> usable, Map<String, String> unusable) {
    super("cgroup v2", usable, unusable);
  }

  /** The v2 tree under {@code root}; {@link Cgroups#none} when root is not a usable v2 directory. */
  static Cgroups open(Path root, String id) throws IOException {
    Path controllersFile = root.resolve("cgroup.controllers");
    if (!Files.isRegularFile(controllersFile)) {
      return Cgroups.none(root + " is not a cgroup v2 directory (it has no cgroup.controllers)");
    }
    Set<String> available = words(controllersFile);
    Map<String, Path> usable = new LinkedHashMap<>();
    Map<String, String> unusable = new LinkedHashMap<>();
    Path providerDir = Cgroups.child(root, id);
    try {
      Files.createDirectories(providerDir);
    } catch (IOException e) {
      return Cgroups.none("cgroup v2: cannot create " + providerDir + " (" + e + ")");
    }
    for (String controller : CONTROLLERS) {
      if (!available.contains(controller)) {
        unusable.put(controller, "not in " + controllersFile + " (it lists: " + String.join(" ", available)
            + "; on a hybrid system it may be bound to a v1 hierarchy)");
        continue;
      }
      String failed = enable(root, controller);
      if (failed == null) {
        failed = enable(providerDir, controller);
      }
      if (failed != null) {
        unusable.put(controller, failed);
      } else {
        usable.put(controller, providerDir);
      }
    }
    CgroupsV2 tree = new CgroupsV2(usable, unusable);
    if (!tree.isUsable()) {
      CgroupTree.removeDir(providerDir);
      return Cgroups.none(tree.describe() + " under " + root);
    }
    return tree;
  }

  /** Enables {@code controller} for the children of {@code dir}; null when done, else why not. */
  private static String enable(Path dir, String controller) {
    Path subtree = dir.resolve("cgroup.subtree_control");
    try {
      if (!words(subtree).contains(controller)) {
        Cgroups.write(subtree, "+" + controller);
      }
      return null;
    } catch (IOException e) {
      return "cannot enable it in " + subtree + " (" + e.getMessage() + "; a v2 group that holds processes"
          + " cannot pass controllers to its children: delegate an empty subtree)";
    }
  }

  private static Set<String> words(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    return text.isEmpty() ? Set.of() : Set.of(text.split("\\s+"));
  }

  @Override
  void writeLimit(String controller, Path dir, Limits limits) throws IOException {
    switch (controller) {
      case "memory" -> {
        if (limits.memoryBytes() > 0) {
          Cgroups.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
          writeIfPresent(dir.resolve("memory.swap.max"), "0");
          writeIfPresent(dir.resolve("memory.oom.group"), "1");
        }
      }
      case "cpu" -> {
        if (limits.cpus() > 0) {
          Cgroups.write(dir.resolve("cpu.max"), CgroupsV1.quotaMicros(limits.cpus()) + " " + CgroupsV1.PERIOD_US);
        }
      }
      case "pids" -> {
        if (limits.pids() > 0) {
          Cgroups.write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
        }
      }
      default -> throw new IllegalArgumentException(controller);
    }
  }

  private static void writeIfPresent(Path file, String value) throws IOException {
    if (Files.exists(file)) {
      Cgroups.write(file, value);
    }
  }
}
