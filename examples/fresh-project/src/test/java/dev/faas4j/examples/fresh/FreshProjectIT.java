package dev.faas4j.examples.fresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A brand-new Maven project ({@code src/it/project}) that depends on faas4j only through a Maven
 * repository deploys and serves a function, on a {@link FreshMachine}: no {@code npm} and no
 * {@code workerd} on PATH, no {@code ~/.cache/faas4j}, nothing of faas4j in its local repository
 * but what this build packaged. The new project's own build runs its main class, which prints what
 * it got from the function.
 */
@ExtendWith(FreshMachine.Setup.class)
class FreshProjectIT {

  @Test
  void aNewProjectDeploysAndServesAFunctionWithoutNpmOrACache(FreshMachine machine) throws Exception {
    Path project = FreshMachine.project("project", machine.dir().resolve("hello-faas"));
    FreshMachine.Ran build = FreshMachine.run(machine.maven(project, "-q", "process-classes"), Duration.ofMinutes(2),
        machine.dir().resolve("build.log"));
    String output = build.output();
    System.out.printf("fresh project: built and ran in %d ms%n%s%n", build.millis(), output);

    assertThat(build.exitCode()).as("exit code of the new project's build; its output:%n%s", output).isZero();
    assertThat(output).as("what the new project's main printed").contains("answer: 200 hello from a fresh project");
    Path cache = machine.workerdCache();
    assertThat(output).as("where the binary came from: the runtime jar, extracted into the empty home's cache")
        .containsPattern("workerd binary: " + Pattern.quote(cache.resolve(FreshMachine.classifier()).toString())
            + "-[0-9a-f]{12}/workerd ");
    try (Stream<Path> extracted = Files.list(cache)) {
      assertThat(extracted.map(p -> p.getFileName().toString())).as("the cache the new project filled")
          .singleElement().asString().startsWith(FreshMachine.classifier() + "-");
    }
  }
}
