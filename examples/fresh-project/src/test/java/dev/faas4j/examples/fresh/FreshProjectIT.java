package dev.faas4j.examples.fresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.workerd.internal.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A brand-new Maven project ({@code src/it/project}) that depends on faas4j only through a Maven
 * repository deploys and serves a function, on a machine as a user's may be: no {@code npm} and no
 * {@code workerd} on PATH, no {@code ~/.cache/faas4j}, nothing of faas4j in its local repository
 * but what this build installed there.
 *
 * <p>The artifacts this reactor packaged are installed (copied in the repository layout, POMs as they
 * are, as {@code mvn install} does) into a temporary local repository; everything else (plugins,
 * Jackson, Jetty...) the new project's build takes from this build's local repository, offered to it
 * as a file:// mirror, offline. The new project's own build runs its main class, which prints what it
 * got from the function.
 */
class FreshProjectIT {

  private static final String VERSION = System.getProperty("faas4j.version");
  private static final Path ROOT = Path.of(System.getProperty("faas4j.root"));

  @TempDir
  Path tmp;

  /** A module of this reactor as {@code mvn install} would install it. */
  private record Module(String dir, String artifactId, String packaging, List<String> classifiers) {}

  private static String classifier() {
    return Platform.current().orElseThrow(() -> new AssertionError("workerd has no runtime jar for this platform"))
        .classifier();
  }

  private static List<Module> modules() {
    return List.of(
        new Module("", "faas4j-parent", "pom", List.of()),
        new Module("faas-bom", "faas-bom", "pom", List.of()),
        new Module("faas-api", "faas-api", "jar", List.of()),
        new Module("faas-core", "faas-core", "jar", List.of()),
        new Module("workerd-runtime", "workerd-runtime", "jar", List.of(classifier())),
        new Module("provider-workerd", "provider-workerd", "jar", List.of()),
        new Module("provider-docker", "provider-docker", "jar", List.of()),
        new Module("store-jdbc", "store-jdbc", "jar", List.of()));
  }

  /** Copies each module's POM and jars into {@code repository}, in the layout a local repository has. */
  private static void install(Path repository) throws IOException {
    for (Module module : modules()) {
      Path dir = ROOT.resolve(module.dir());
      Path into = Files.createDirectories(repository.resolve("dev/faas4j").resolve(module.artifactId()).resolve(VERSION));
      String base = module.artifactId() + "-" + VERSION;
      Files.copy(dir.resolve("pom.xml"), into.resolve(base + ".pom"));
      if (module.packaging().equals("jar")) {
        Files.copy(packaged(dir, base + ".jar"), into.resolve(base + ".jar"));
      }
      for (String classifier : module.classifiers()) {
        Files.copy(packaged(dir, base + "-" + classifier + ".jar"), into.resolve(base + "-" + classifier + ".jar"));
      }
    }
  }

  private static Path packaged(Path moduleDir, String name) {
    Path jar = moduleDir.resolve("target").resolve(name);
    assertThat(jar).as("packaged by this build (the test runs after `package`)").isRegularFile();
    return jar;
  }

  /** Skips (fails under CI=true) when this build's runtime jar has no binary, i.e. was built without npm. */
  private static void requireRuntimeBinary() throws IOException {
    Path jar = ROOT.resolve("workerd-runtime/target/workerd-runtime-" + VERSION + "-" + classifier() + ".jar");
    boolean hasBinary = false;
    if (Files.isRegularFile(jar)) {
      try (FileSystem zip = FileSystems.newFileSystem(jar)) {
        hasBinary = Files.exists(zip.getPath("dev/faas4j/workerd/runtime/" + classifier() + "/workerd.gz"));
      }
    }
    if (!hasBinary) {
      String message = jar + " holds no workerd binary: build faas4j with npm on PATH";
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true and " + message);
      }
      Assumptions.abort(message);
    }
  }

  /** A PATH with only what workerd's provider runs besides workerd ({@code sh}, {@code getconf}): no npm. */
  private Path bareBin() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String tool : List.of("sh", "getconf")) {
      Path found = Stream.of("/bin", "/usr/bin").map(dir -> Path.of(dir, tool)).filter(Files::isExecutable).findFirst()
          .orElseThrow(() -> new AssertionError(tool + " not found in /bin or /usr/bin"));
      Files.copy(found, bin.resolve(tool), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    }
    return bin;
  }

  private Path project() throws IOException {
    Path template = ROOT.resolve("examples/fresh-project/src/it/project");
    Path project = tmp.resolve("hello-faas");
    try (Stream<Path> files = Files.walk(template)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = project.resolve(template.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, Files.readString(file)
            .replace("@faas4j.version@", VERSION)
            .replace("@jetty.version@", System.getProperty("jetty.version"))
            .replace("@slf4j.version@", System.getProperty("slf4j.version")));
      }
    }
    return project;
  }

  private Path settings() throws IOException {
    Path outer = Path.of(System.getProperty("outer.repository"));
    return Files.writeString(tmp.resolve("settings.xml"), "<settings><mirrors><mirror><id>this-build</id>"
        + "<mirrorOf>*</mirrorOf><url>" + outer.toUri() + "</url></mirror></mirrors></settings>\n");
  }

  /** The command that starts this build's Maven, as its {@code mvn} script does. */
  private static List<String> maven(Path project) throws IOException {
    Path home = Path.of(System.getProperty("maven.home"));
    Path classworlds;
    try (Stream<Path> boot = Files.list(home.resolve("boot"))) {
      classworlds = boot.filter(f -> f.getFileName().toString().matches("plexus-classworlds-.*\\.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no plexus-classworlds jar in " + home.resolve("boot")));
    }
    return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-classpath", classworlds.toString(),
        "-Dclassworlds.conf=" + home.resolve("bin/m2.conf"),
        "-Dmaven.home=" + home,
        "-Dmaven.multiModuleProjectDirectory=" + project,
        "org.codehaus.plexus.classworlds.launcher.Launcher"));
  }

  @Test
  void aNewProjectDeploysAndServesAFunctionWithoutNpmOrACache() throws Exception {
    requireRuntimeBinary();
    Path repository = tmp.resolve("repository");
    install(repository);
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path bin = bareBin();
    Path project = project();
    List<String> command = maven(project);
    command.addAll(List.of("-B", "-q", "-o", "-Daether.offline.protocols=file", "-s", settings().toString(),
        "-Dmaven.repo.local=" + repository, "process-classes"));

    ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", bin.toString());
    env.put("HOME", home.toString());
    // Java takes user.home from the password database, not from HOME: every JVM of the new
    // project's build (Maven's, and the application's it forks) gets it this way.
    env.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
    assertThat(Stream.of("npm", "node", "workerd").filter(tool -> Files.exists(bin.resolve(tool))))
        .as("tools on the new project's PATH").isEmpty();

    long start = System.nanoTime();
    Process maven = builder.start();
    String output;
    try {
      output = new String(maven.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(maven.waitFor(120, TimeUnit.SECONDS)).as("the new project's build finished").isTrue();
    } finally {
      maven.descendants().forEach(ProcessHandle::destroyForcibly);
      maven.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    System.out.printf("fresh project: built and ran in %d ms%n%s%n", (System.nanoTime() - start) / 1_000_000, output);

    assertThat(maven.exitValue()).as("exit code of the new project's build; its output:%n%s", output).isZero();
    assertThat(output).as("what the new project's main printed").contains("answer: 200 hello from a fresh project");
    Path cache = home.resolve(".cache/faas4j/workerd").resolve(System.getProperty("workerd.version"));
    assertThat(output).as("where the binary came from: the runtime jar, extracted into the empty home's cache")
        .containsPattern("workerd binary: " + java.util.regex.Pattern.quote(cache.resolve(classifier()).toString())
            + "-[0-9a-f]{12}/workerd ");
    try (Stream<Path> extracted = Files.list(cache)) {
      assertThat(extracted.map(p -> p.getFileName().toString())).as("the cache the new project filled")
          .singleElement().asString().startsWith(classifier() + "-");
    }
  }
}
