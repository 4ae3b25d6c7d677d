package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Finds the workerd binary. The lookup order:
 * <ol>
 *   <li>the path set with {@code WorkerdProvider.builder().binary(path)};
 *   <li>the environment variable {@value #ENV_VAR};
 *   <li>the runtime jar of this platform on the classpath ({@code dev.faas4j:workerd-runtime}, classifier
 *       {@code linux-x86_64}, {@code linux-aarch_64}, {@code osx-x86_64}, {@code osx-aarch_64} or
 *       {@code windows-x86_64}), extracted once into the cache ({@value #CACHE_PROPERTY}, default
 *       {@code ~/.cache/faas4j/workerd}; see {@link RuntimeJar});
 *   <li>{@code workerd} on {@code PATH}.
 * </ol>
 * A path set in 1 or 2 that is not an executable file is an error, never skipped. Stateless and
 * thread-safe.
 */
public final class BinaryLocator {

  /** The environment variable that names the binary. */
  public static final String ENV_VAR = "FAAS4J_WORKERD";
  /** The system property that overrides the cache root ({@code ~/.cache/faas4j/workerd}). */
  public static final String CACHE_PROPERTY = "faas4j.workerd.cache";

  private BinaryLocator() {}

  /** The workerd version this library was built with, from a resource filtered by the build. */
  public static String pinnedVersion() {
    String version = buildProperty("workerd.version");
    if (!Pattern.matches("[0-9][0-9A-Za-z.+-]*", version)) {
      throw new IllegalStateException("workerd-build.properties has no valid workerd.version: '" + version + "'");
    }
    return version;
  }

  /** The version of faas4j this provider belongs to, which its runtime jars share. */
  static String faas4jVersion() {
    return buildProperty("faas4j.version");
  }

  private static String buildProperty(String name) {
    try (InputStream in = BinaryLocator.class.getResourceAsStream("workerd-build.properties")) {
      if (in == null) {
        throw new IllegalStateException("workerd-build.properties missing from the provider-workerd jar");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty(name, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cache root: the system property {@value #CACHE_PROPERTY}, else {@code ~/.cache/faas4j/workerd}. */
  public static Path defaultCacheRoot() {
    String property = System.getProperty(CACHE_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "faas4j", "workerd");
  }

  /** Looks the binary up in this process's environment and classpath. */
  public static Path locate(Path explicit) {
    return locate(explicit, System.getenv(), defaultCacheRoot(), Platform.current(), BinaryLocator.class.getClassLoader());
  }

  /**
   * Looks the binary up.
   *
   * @param explicit a path set by the application, or null
   * @param platform this machine's platform, empty if workerd is not built for it
   * @param loader where to look for the runtime jar
   * @throws IllegalStateException if none is found (the message names every place tried and the
   *     artifact to add), or the runtime jar's binary is corrupt
   */
  public static Path locate(Path explicit, Map<String, String> env, Path cacheRoot, Optional<Platform> platform,
      ClassLoader loader) {
    if (explicit != null) {
      if (isExecutable(explicit)) {
        return explicit.toAbsolutePath();
      }
      throw new IllegalStateException("workerd binary " + explicit + " (set with binary(...)) is not an"
          + " executable file: fix the path, or leave it unset to use " + ENV_VAR + ", the workerd-runtime jar or PATH");
    }
    String fromEnv = env.get(ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path path = Path.of(fromEnv);
      if (isExecutable(path)) {
        return path.toAbsolutePath();
      }
      throw new IllegalStateException("workerd binary " + fromEnv + " (from " + ENV_VAR + ") is not an"
          + " executable file: fix " + ENV_VAR + " or unset it");
    }
    List<String> tried = new ArrayList<>();
    tried.add("builder().binary(path) (not set)");
    tried.add(ENV_VAR + " (not set)");
    Optional<RuntimeJar> jar = Optional.empty();
    String unusableJar = null;
    try {
      jar = platform.flatMap(p -> RuntimeJar.find(loader, p));
    } catch (IllegalStateException | UncheckedIOException e) {
      unusableJar = e.getMessage(); // e.g. built without npm: PATH may still have one
    }
    if (jar.isPresent()) {
      try {
        return jar.get().extract(cacheRoot);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extract workerd from the workerd-runtime jar into " + cacheRoot
            + ": " + e.getMessage() + ". Make it writable, point -D" + CACHE_PROPERTY + " at a writable directory,"
            + " or set " + ENV_VAR, e);
      }
    }
    if (unusableJar != null) {
      tried.add("the classpath (" + unusableJar + ")");
    } else {
      tried.add(platform.map(p -> "the classpath (no " + RuntimeJar.resourceDir(p) + ")")
          .orElse("the classpath (no runtime jar exists for this platform)"));
    }
    String name = platform.map(Platform::binaryName).orElse("workerd");
    Optional<Path> onPath = onPath(env.get("PATH"), name);
    if (onPath.isPresent()) {
      return onPath.get();
    }
    tried.add(name + " on PATH");
    String remedy = platform.map(p -> "Add the dependency dev.faas4j:workerd-runtime:" + faas4jVersion() + " with"
        + " <classifier>" + p.classifier() + "</classifier> (provider-workerd brings it when Maven builds on this"
        + " platform; faas-bom manages its version), or set ")
        .orElse("workerd runtime jars exist for " + String.join(", ", Platform.CLASSIFIERS) + " only, and this is "
            + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": build workerd yourself and set ");
    throw new IllegalStateException("workerd binary not found (looked at: " + String.join(", ", tried) + "). "
        + remedy + ENV_VAR + " to a workerd " + pinnedVersion() + " binary, configure WorkerdProvider.builder().binary(path),"
        + " or put workerd on PATH");
  }

  private static Optional<Path> onPath(String path, String name) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  private static boolean isExecutable(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }
}
