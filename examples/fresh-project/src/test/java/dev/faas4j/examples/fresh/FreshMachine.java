package dev.faas4j.examples.fresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.faas4j.workerd.internal.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A machine as a new user's may be, for the fresh-project tests: no {@code npm} and no
 * {@code workerd} on PATH, an empty home (no {@code ~/.cache/faas4j}), and a local Maven repository
 * holding nothing of faas4j but what this build packaged.
 *
 * <p>The repository is made once per test run and shared by every test that takes a
 * {@link FreshMachine} parameter (the plugins and third-party jars the first nested build copies into
 * it serve the next); it is deleted when the run ends. Each test gets its own home, PATH and
 * settings, under its own temporary directory.
 */
final class FreshMachine {

  static final String VERSION = System.getProperty("faas4j.version");
  static final Path ROOT = Path.of(System.getProperty("faas4j.root"));
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FreshMachine.class);

  private final Path dir;
  private final Path repository;
  private final Path home;
  private final Path bin;
  private final Path settings;

  private FreshMachine(Path dir, Path repository) throws IOException {
    this.dir = dir;
    this.repository = repository;
    this.home = Files.createDirectories(dir.resolve("home"));
    this.bin = bareBin(dir);
    this.settings = settings(dir);
  }

  /** This machine's temporary directory (deleted after the test), a place for projects and files. */
  Path dir() {
    return dir;
  }

  /** The empty home directory ({@code HOME} and {@code user.home}) of this machine's processes. */
  Path home() {
    return home;
  }

  /** The cache the workerd provider fills in this machine's home. */
  Path workerdCache() {
    return home.resolve(".cache/faas4j/workerd").resolve(System.getProperty("workerd.version"));
  }

  /** A process builder with this machine's environment: nothing but PATH, HOME and user.home. */
  ProcessBuilder process(List<String> command, Path directory) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", bin.toString());
    env.put("HOME", home.toString());
    // Java takes user.home from the password database, not from HOME: every JVM started here
    // (Maven's, the tests it forks, the application) gets it this way.
    env.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
    assertThat(Stream.of("npm", "node", "workerd").filter(tool -> Files.exists(bin.resolve(tool))))
        .as("tools on the fresh machine's PATH").isEmpty();
    return builder;
  }

  /** This build's Maven, offline, on {@code project}, with the shared repository; then {@code args}. */
  ProcessBuilder maven(Path project, String... args) throws IOException {
    Path mavenHome = Path.of(System.getProperty("maven.home"));
    Path classworlds;
    try (Stream<Path> boot = Files.list(mavenHome.resolve("boot"))) {
      classworlds = boot.filter(f -> f.getFileName().toString().matches("plexus-classworlds-.*\\.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no plexus-classworlds jar in " + mavenHome.resolve("boot")));
    }
    List<String> command = new ArrayList<>(List.of(java(),
        "-classpath", classworlds.toString(),
        "-Dclassworlds.conf=" + mavenHome.resolve("bin/m2.conf"),
        "-Dmaven.home=" + mavenHome,
        "-Dmaven.multiModuleProjectDirectory=" + project,
        "org.codehaus.plexus.classworlds.launcher.Launcher",
        "-B", "-o", "-Daether.offline.protocols=file", "-s", settings.toString(),
        "-Dmaven.repo.local=" + repository));
    command.addAll(List.of(args));
    return process(command, project);
  }

  /** What a process run to its end left: exit code, output and wall time. */
  record Ran(int exitCode, String output, long millis) {}

  /**
   * Runs {@code builder}'s process to its end, its output into {@code log}; fails after
   * {@code timeout}. Whatever it started is killed before this returns, whatever the outcome.
   */
  static Ran run(ProcessBuilder builder, Duration timeout, Path log) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      long millis = (System.nanoTime() - start) / 1_000_000;
      String output = read(log);
      assertThat(ended).as("%s ended within %s; its output so far:%n%s", builder.command(), timeout, output).isTrue();
      return new Ran(process.exitValue(), output, millis);
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** What a process wrote so far into {@code log} (a character cut in two reads as a replacement). */
  static String read(Path log) throws IOException {
    return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
  }

  /** The {@code java} launcher of the JVM running the tests. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Copies the template project {@code src/it/<name>} to {@code into}, with this build's versions in
   * place of {@code @faas4j.version@}, {@code @jetty.version@}, {@code @slf4j.version@} and
   * {@code @spring-boot.version@}.
   */
  static Path project(String name, Path into) throws IOException {
    Path template = ROOT.resolve("examples/fresh-project/src/it").resolve(name);
    try (Stream<Path> files = Files.walk(template)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = into.resolve(template.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, Files.readString(file)
            .replace("@faas4j.version@", VERSION)
            .replace("@jetty.version@", System.getProperty("jetty.version"))
            .replace("@slf4j.version@", System.getProperty("slf4j.version"))
            .replace("@spring-boot.version@", System.getProperty("spring-boot.version")));
      }
    }
    return into;
  }

  static String classifier() {
    return Platform.current().orElseThrow(() -> new AssertionError("workerd has no runtime jar for this platform"))
        .classifier();
  }

  /** Skips (fails under CI=true) when this build's runtime jar has no binary, i.e. was built without npm. */
  private static void requireRuntimeBinary() {
    Path jar = ROOT.resolve("workerd-runtime/target/workerd-runtime-" + VERSION + "-" + classifier() + ".jar");
    boolean hasBinary = false;
    if (Files.isRegularFile(jar)) {
      try (FileSystem zip = FileSystems.newFileSystem(jar)) {
        hasBinary = Files.exists(zip.getPath("dev/faas4j/workerd/runtime/" + classifier() + "/workerd.gz"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
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

  /** A module of this reactor as {@code mvn install} would install it. */
  private record Module(String dir, String artifactId, String packaging, List<String> classifiers) {}

  private static List<Module> modules() {
    return List.of(
        new Module("", "faas4j-parent", "pom", List.of()),
        new Module("faas-bom", "faas-bom", "pom", List.of()),
        new Module("faas-api", "faas-api", "jar", List.of()),
        new Module("faas-core", "faas-core", "jar", List.of()),
        new Module("workerd-runtime", "workerd-runtime", "jar", List.of(classifier())),
        new Module("provider-workerd", "provider-workerd", "jar", List.of()),
        new Module("provider-docker", "provider-docker", "jar", List.of()),
        new Module("store-jdbc", "store-jdbc", "jar", List.of()),
        new Module("spring-boot-starter", "faas4j-spring-boot-starter", "jar", List.of()));
  }

  /**
   * A temporary local repository holding each module's POM and jars, in the layout {@code mvn install}
   * makes (POMs as they are); {@code ~/.m2} is never written.
   */
  private static TempDir installed() {
    TempDir repository = TempDir.create("faas4j-fresh-repository-");
    boolean done = false;
    try {
      for (Module module : modules()) {
        Path dir = ROOT.resolve(module.dir());
        Path into = Files.createDirectories(
            repository.dir().resolve("dev/faas4j").resolve(module.artifactId()).resolve(VERSION));
        String base = module.artifactId() + "-" + VERSION;
        Files.copy(dir.resolve("pom.xml"), into.resolve(base + ".pom"));
        if (module.packaging().equals("jar")) {
          Files.copy(packaged(dir, base + ".jar"), into.resolve(base + ".jar"));
        }
        for (String classifier : module.classifiers()) {
          Files.copy(packaged(dir, base + "-" + classifier + ".jar"), into.resolve(base + "-" + classifier + ".jar"));
        }
      }
      done = true;
      return repository;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!done) {
        repository.delete();
      }
    }
  }

  private static Path packaged(Path moduleDir, String name) {
    Path jar = moduleDir.resolve("target").resolve(name);
    assertThat(jar).as("packaged by this build (the test runs after `package`)").isRegularFile();
    return jar;
  }

  /** A PATH with only what workerd's provider runs besides workerd ({@code sh}, {@code getconf}): no npm. */
  private static Path bareBin(Path tmp) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String tool : List.of("sh", "getconf")) {
      Path found = Stream.of("/bin", "/usr/bin").map(dir -> Path.of(dir, tool)).filter(Files::isExecutable).findFirst()
          .orElseThrow(() -> new AssertionError(tool + " not found in /bin or /usr/bin"));
      Files.copy(found, bin.resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
    }
    return bin;
  }

  /** Maven settings whose only repository is this build's local one, as a file:// mirror of everything. */
  private static Path settings(Path tmp) throws IOException {
    Path outer = Path.of(System.getProperty("outer.repository"));
    return Files.writeString(tmp.resolve("settings.xml"), "<settings><mirrors><mirror><id>this-build</id>"
        + "<mirrorOf>*</mirrorOf><url>" + outer.toUri() + "</url></mirror></mirrors></settings>\n");
  }

  /**
   * Gives a test a {@link FreshMachine} parameter, a machine under a temporary directory of the
   * test's own; first skips the test (fails it under CI=true) when this build has no workerd binary
   * to give the machine.
   */
  static final class Setup implements BeforeEachCallback, ParameterResolver {

    @Override
    public void beforeEach(ExtensionContext context) {
      requireRuntimeBinary();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == FreshMachine.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      Path repository = context.getRoot().getStore(NAMESPACE)
          .getOrComputeIfAbsent("repository", key -> installed(), TempDir.class).dir();
      Path dir = context.getStore(NAMESPACE)
          .getOrComputeIfAbsent("machine", key -> TempDir.create("faas4j-fresh-machine-"), TempDir.class).dir();
      try {
        return new FreshMachine(dir, repository);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A temporary directory, deleted with everything in it when its JUnit store closes. */
  private record TempDir(Path dir) implements AutoCloseable {

    static TempDir create(String prefix) {
      try {
        return new TempDir(Files.createTempDirectory(prefix));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      delete();
    }

    void delete() {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + dir, e);
      }
    }
  }
}
