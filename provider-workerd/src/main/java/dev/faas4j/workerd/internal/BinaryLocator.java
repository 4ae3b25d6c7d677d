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
 * Finds the workerd binary: an explicit path, then {@code FAAS4J_WORKERD}, then {@code workerd} on
 * {@code PATH}, then the cache the Maven build installs into. Stateless and thread-safe.
 */
public final class BinaryLocator {

  /** The environment variable that names the binary. */
  public static final String ENV_VAR = "FAAS4J_WORKERD";
  /** The system property that overrides the cache root ({@code ~/.cache/faas4j/workerd}). */
  public static final String CACHE_PROPERTY = "faas4j.workerd.cache";

  private static final String NPM_PACKAGE = "@cloudflare/workerd-linux-64";

  private BinaryLocator() {}

  /** The workerd version this library was built with, from a resource filtered by the build. */
  public static String pinnedVersion() {
    try (InputStream in = BinaryLocator.class.getResourceAsStream("workerd-build.properties")) {
      if (in == null) {
        throw new IllegalStateException("workerd-build.properties missing from the provider-workerd jar");
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("workerd.version", "");
      if (!Pattern.matches("[0-9][0-9A-Za-z.+-]*", version)) {
        throw new IllegalStateException("workerd-build.properties has no valid workerd.version: '" + version + "'");
      }
      return version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the build installs the pinned binary for {@code version} under {@code cacheRoot}. */
  public static Path cachedBinary(Path cacheRoot, String version) {
    return cacheRoot.resolve(version).resolve("node_modules").resolve("@cloudflare")
        .resolve("workerd-linux-64").resolve("bin").resolve("workerd");
  }

  /** The cache root: the system property {@value #CACHE_PROPERTY}, else {@code ~/.cache/faas4j/workerd}. */
  public static Path defaultCacheRoot() {
    String property = System.getProperty(CACHE_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "faas4j", "workerd");
  }

  /** Looks the binary up in this process's environment. */
  public static Path locate(Path explicit) {
    return locate(explicit, System.getenv(), defaultCacheRoot(), pinnedVersion());
  }

  /**
   * Looks the binary up in the given environment.
   *
   * @param explicit a path set by the application, or null
   * @throws IllegalStateException if none is found, with a message that says how to install it
   */
  public static Path locate(Path explicit, Map<String, String> env, Path cacheRoot, String version) {
    List<String> tried = new ArrayList<>();
    if (explicit != null) {
      if (isExecutable(explicit)) {
        return explicit.toAbsolutePath();
      }
      throw new IllegalStateException("workerd binary " + explicit + " (set with binary(...)) is not an"
          + " executable file: fix the path, or leave it unset to use " + ENV_VAR + ", PATH or the build's cache");
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
    tried.add(ENV_VAR + " (not set)");
    Optional<Path> onPath = onPath(env.get("PATH"));
    if (onPath.isPresent()) {
      return onPath.get();
    }
    tried.add("workerd on PATH");
    Path cached = cachedBinary(cacheRoot, version);
    if (isExecutable(cached)) {
      return cached;
    }
    tried.add(cached.toString());
    throw new IllegalStateException("workerd binary not found (looked at: " + String.join(", ", tried) + ")."
        + " Build faas4j with Maven (it installs workerd " + version + " with npm), or run"
        + " `npm install --prefix " + cacheRoot.resolve(version) + " " + NPM_PACKAGE + "@" + version + "`,"
        + " or set " + ENV_VAR + " to a workerd binary, or configure WorkerdProvider.builder().binary(path)");
  }

  private static Optional<Path> onPath(String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "workerd");
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
