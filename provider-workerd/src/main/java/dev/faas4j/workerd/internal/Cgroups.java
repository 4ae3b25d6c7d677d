package dev.faas4j.workerd.internal;

import dev.faas4j.api.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The Linux control groups that hold each workerd process to its version's {@link Limits}: memory,
 * CPU and pids. workerd enforces none of them itself.
 *
 * <p>A provider owns one directory per controller hierarchy, {@code faas4j-<id>}, under the cgroup
 * the JVM runs in (cgroup v1) or under a delegated cgroup v2 directory; each process gets a group
 * of its own in it, {@code <function>.<version>} (a dot cannot occur in either name, so two versions
 * never share a group), created and limited before the process is spawned. The spawning shell
 * writes its own pid into the group's {@code cgroup.procs} before it becomes workerd, so workerd
 * never runs outside its limits.
 *
 * <p>Implementations: {@link CgroupsV1}, {@link CgroupsV2}, and {@link #none} where neither is
 * usable (or enforcement was turned off); {@link #detect} picks one. A controller that cannot be
 * used makes {@link #refusal} name every limit that depends on it, so a deploy asking for it is
 * refused instead of running unlimited.
 *
 * <p>Implementations are thread-safe.
 */
public interface Cgroups {

  /** What this is, for the log: the version and where each usable controller's groups go. */
  String describe();

  /**
   * Why {@code limits} cannot be enforced here, naming the first limit that cannot and what would
   * make it possible; empty when every limit set in it is enforced (the timeout is not a cgroup
   * limit and is always fine).
   */
  Optional<String> refusal(Limits limits);

  /**
   * Creates the group of one process, with {@code limits} written into it. Controllers whose limit
   * is 0 still get a group (it accounts the process's use), unless the controller is unusable.
   *
   * @param function a validated DNS label
   * @param version a validated DNS label
   * @throws IOException if a group or a limit file cannot be written
   */
  Group create(String function, String version, Limits limits) throws IOException;

  /**
   * Creates a group for a process whose version is not known yet ({@link SpareProcess}), named
   * {@code spare.<n>}, with no limit; {@link Group#limit} gives it a version's limits later.
   *
   * @throws IOException if a group cannot be created
   */
  Group createSpare() throws IOException;

  /** Whether processes join groups here at all; without, a {@link SpareProcess} saves nothing. */
  default boolean confines() {
    return true;
  }

  /**
   * The groups a previous run on the same data dir left: every group there now. Call it before this
   * provider creates its first group; it only lists them, so it is cheap.
   */
  List<Path> leftovers();

  /**
   * Removes groups found by {@link #leftovers}, once their processes are gone; returns the
   * directories removed. A group that still holds a process is logged and kept.
   */
  List<Path> removeLeftovers(List<Path> groups);

  /**
   * Moves processes that are about to be killed (a previous run's leftovers) into a group that gets
   * next to no CPU while anything else wants it, so that their teardown does not compete with the
   * start of this run; returns that group, to be removed with {@link #removeLeftovers} once they
   * are gone. Empty where this tree has no such group (cgroup v2, or no cpu controller): the
   * processes then stay where they are. Never throws: a process that cannot be moved stays too.
   */
  default Optional<Path> deprioritize(List<Long> pids) {
    return Optional.empty();
  }

  /** Removes this provider's own (then empty) directories. */
  void close();

  /** The groups (one per hierarchy) of one process. Thread-safe. */
  interface Group {

    /** The {@code cgroup.procs} files the process must write its pid into, in order. */
    List<Path> procsFiles();

    /** The group's directory in the hierarchy of {@code controller}, if that controller is in use. */
    Optional<Path> dir(String controller);

    /** Writes {@code limits} into the group (a spare one, given its version's limits). */
    void limit(Limits limits) throws IOException;

    /** Removes the group's directories; the process must be gone. Idempotent; failures are logged. */
    void remove();
  }

  /** Used when no controller can be used: every limit is refused with {@code why}. */
  static Cgroups none(String why) {
    return new NoCgroups(why);
  }

  /**
   * The cgroups this machine offers the JVM: cgroup v2 under {@code v2Root} when it is given (a
   * delegated directory); else cgroup v1 when memory, cpu or pids is mounted as a v1 hierarchy;
   * else cgroup v2 in the JVM's own cgroup; else {@link #none}.
   *
   * @param dataDir the provider's data dir; its path names the provider's directories, so a
   *     provider restarted on the same dir finds its predecessor's leftovers
   */
  static Cgroups detect(Path dataDir, Path v2Root) {
    String id = "faas4j-" + shortHash(dataDir.toAbsolutePath().normalize().toString());
    try {
      if (v2Root != null) {
        return CgroupsV2.open(v2Root, id);
      }
      List<Mounts.Mount> mounts = Mounts.read();
      Optional<Cgroups> v1 = CgroupsV1.open(mounts, id);
      if (v1.isPresent()) {
        return v1.get();
      }
      Optional<Path> ownV2 = Mounts.ownV2Cgroup(mounts);
      if (ownV2.isPresent()) {
        return CgroupsV2.open(ownV2.get(), id);
      }
      return none("no cgroup v1 or v2 hierarchy is mounted (see /proc/self/mountinfo)");
    } catch (IOException | RuntimeException e) {
      return none("reading the cgroup mounts failed: " + e);
    }
  }

  /** The first 12 hex digits of the SHA-256 of {@code text}. */
  private static String shortHash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The name of one version's groups: {@code <function>.<version>}, to which each group adds its own
   * number. Both are checked again here
   * (lower-case DNS labels), so no supplied text can climb out of the provider's directory.
   */
  static String groupName(String function, String version) {
    for (String label : List.of(function, version)) {
      if (!label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
        throw new IllegalArgumentException("not a lower-case DNS label: '" + label + "'");
      }
    }
    return function + "." + version;
  }

  /** {@code dir.resolve(name)}, checked to be a direct child of {@code dir}. */
  static Path child(Path dir, String name) {
    Path child = dir.resolve(name).normalize();
    if (!dir.equals(child.getParent())) {
      throw new IllegalArgumentException("'" + name + "' is not a plain name under " + dir);
    }
    return child;
  }

  /** Writes {@code value} into a cgroup control file (which exists: control files cannot be created). */
  static void write(Path file, String value) throws IOException {
    try {
      Files.writeString(file, value, StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
    }
  }

  /** The limits that need {@code controller}, as the deploy body names them; empty when none is set. */
  static List<String> limitsNeeding(String controller, Limits limits) {
    return switch (controller) {
      case "memory" -> limits.memoryBytes() > 0 ? List.of("limits.memory_mb") : List.of();
      case "cpu" -> limits.cpus() > 0 ? List.of("limits.cpus") : List.of();
      case "pids" -> limits.pids() > 0 ? List.of("limits.pids") : List.of();
      default -> List.of();
    };
  }

  /** The controllers faas4j uses, in the order limits are checked. */
  List<String> CONTROLLERS = List.of("memory", "cpu", "pids");

  /** No controller: refuses every limit. */
  final class NoCgroups implements Cgroups {
    private final String why;

    NoCgroups(String why) {
      this.why = why;
    }

    @Override
    public String describe() {
      return "no cgroups (" + why + ")";
    }

    @Override
    public Optional<String> refusal(Limits limits) {
      for (String controller : CONTROLLERS) {
        for (String limit : limitsNeeding(controller, limits)) {
          return Optional.of(limit + " cannot be enforced by this workerd provider: " + why);
        }
      }
      return Optional.empty();
    }

    @Override
    public Group create(String function, String version, Limits limits) {
      groupName(function, version);
      return createSpare();
    }

    @Override
    public boolean confines() {
      return false;
    }

    @Override
    public Group createSpare() {
      return new Group() {
        @Override
        public List<Path> procsFiles() {
          return List.of();
        }

        @Override
        public Optional<Path> dir(String controller) {
          return Optional.empty();
        }

        @Override
        public void limit(Limits limits) {}

        @Override
        public void remove() {}
      };
    }

    @Override
    public List<Path> leftovers() {
      return List.of();
    }

    @Override
    public List<Path> removeLeftovers(List<Path> groups) {
      return List.of();
    }

    @Override
    public void close() {}
  }
}
