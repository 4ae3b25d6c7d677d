package dev.faas4j.workerd.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A platform workerd is built for, named by the classifier of its runtime jar
 * ({@code dev.faas4j:workerd-runtime:<version>:<classifier>}; the names os-maven-plugin gives).
 *
 * @param classifier the runtime jar's classifier, e.g. {@code linux-x86_64}
 * @param binaryName the binary's file name: {@code workerd}, or {@code workerd.exe} on Windows
 */
public record Platform(String classifier, String binaryName) {

  /** Every classifier a runtime jar exists for. */
  public static final List<String> CLASSIFIERS =
      List.of("linux-x86_64", "linux-aarch_64", "osx-x86_64", "osx-aarch_64", "windows-x86_64");

  /** The platform this JVM runs on, from {@code os.name} and {@code os.arch}; empty if workerd has none. */
  public static Optional<Platform> current() {
    return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  /**
   * The platform for a JVM's {@code os.name} and {@code os.arch} (the values Maven's OS profile
   * activation sees too), or empty when workerd is not built for it.
   */
  public static Optional<Platform> of(String osName, String osArch) {
    String name = osName.toLowerCase(Locale.ROOT);
    String os;
    if (name.startsWith("linux")) {
      os = "linux";
    } else if (name.startsWith("mac") || name.startsWith("darwin")) {
      os = "osx";
    } else if (name.startsWith("windows")) {
      os = "windows";
    } else {
      return Optional.empty();
    }
    String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64", "arm64" -> "aarch_64";
      default -> "";
    };
    String classifier = os + "-" + arch;
    if (!CLASSIFIERS.contains(classifier)) {
      return Optional.empty();
    }
    return Optional.of(new Platform(classifier, os.equals("windows") ? "workerd.exe" : "workerd"));
  }
}
