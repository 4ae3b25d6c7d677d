package dev.faas4j.workerd.internal;

import java.nio.file.Path;

/**
 * Extracts the runtime in {@code args[0]} (a directory of resources, see {@link FakeRuntime}) into
 * the cache {@code args[1]} and prints the binary's path: one of several JVMs extracting at once.
 */
public final class ExtractMain {

  private ExtractMain() {}

  public static void main(String[] args) throws Exception {
    try (var loader = FakeRuntime.loader(Path.of(args[0]))) {
      RuntimeJar jar = RuntimeJar.find(loader, FakeRuntime.LINUX).orElseThrow();
      System.out.println(jar.extract(Path.of(args[1])));
    }
  }
}
