package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup hierarchies this process sees: the cgroup mounts of {@code /proc/self/mountinfo} and
 * the JVM's own place in each, from {@code /proc/self/cgroup}. Stateless.
 */
final class Mounts {

  /**
   * One mounted cgroup hierarchy.
   *
   * @param mountPoint where it is mounted
   * @param root the cgroup the mount shows at {@code mountPoint} ({@code /} unless a container
   *     mounted only its own part of the hierarchy)
   * @param version 1 or 2
   * @param controllers the v1 controllers it carries (empty for v2, whose controllers are listed in
   *     {@code cgroup.controllers})
   * @param ownPath the JVM's cgroup in this hierarchy, from {@code /proc/self/cgroup}
   */
  record Mount(Path mountPoint, String root, int version, Set<String> controllers, String ownPath) {

    /** The directory of the JVM's own cgroup in this hierarchy. */
    Path ownDir() {
      String relative = ownPath;
      if (!root.equals("/") && (relative.equals(root) || relative.startsWith(root + "/"))) {
        relative = relative.substring(root.length());
      }
      Path dir = mountPoint;
      for (String part : relative.split("/")) {
        if (!part.isEmpty()) {
          dir = Cgroups.child(dir, part);
        }
      }
      return dir;
    }
  }

  private Mounts() {}

  /** The cgroup mounts, each with the JVM's own cgroup in it; hierarchies the JVM is not in are left out. */
  static List<Mount> read() throws IOException {
    return parse(Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8),
        Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8));
  }

  static List<Mount> parse(List<String> mountinfo, List<String> ownCgroups) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : mountinfo) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] left = line.substring(0, dash).split(" ");
      String[] right = line.substring(dash + 3).split(" ");
      if (left.length < 5 || right.length < 3) {
        continue;
      }
      String type = right[0];
      if (type.equals("cgroup")) {
        Set<String> controllers = Set.of(right[2].split(","));
        own(ownCgroups, controllers).ifPresent(path -> mounts.add(
            new Mount(Path.of(unescape(left[4])), unescape(left[3]), 1, controllers, path)));
      } else if (type.equals("cgroup2")) {
        own(ownCgroups, null).ifPresent(path -> mounts.add(
            new Mount(Path.of(unescape(left[4])), unescape(left[3]), 2, Set.of(), path)));
      }
    }
    return mounts;
  }

  /** The JVM's cgroup in cgroup v2, if a cgroup2 hierarchy is mounted. */
  static Optional<Path> ownV2Cgroup(List<Mount> mounts) {
    return mounts.stream().filter(m -> m.version() == 2).findFirst().map(Mount::ownDir);
  }

  /**
   * The JVM's path in the hierarchy that carries one of {@code controllers} (v1), or in the unified
   * hierarchy ({@code controllers} null: the {@code 0::} line).
   */
  private static Optional<String> own(List<String> ownCgroups, Set<String> controllers) {
    for (String line : ownCgroups) {
      String[] parts = line.split(":", 3);
      if (parts.length < 3) {
        continue;
      }
      if (controllers == null) {
        if (parts[0].equals("0") && parts[1].isEmpty()) {
          return Optional.of(parts[2]);
        }
      } else if (!parts[1].isEmpty()) {
        for (String controller : parts[1].split(",")) {
          if (controllers.contains(controller)) {
            return Optional.of(parts[2]);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Undoes mountinfo's octal escapes ({@code \040} for a space). */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
