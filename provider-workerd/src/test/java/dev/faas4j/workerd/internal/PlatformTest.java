package dev.faas4j.workerd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JVM's os.name and os.arch, as real JVMs report them, to the runtime jar's classifier. */
class PlatformTest {

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @CsvSource({
      "Linux, amd64, linux-x86_64, workerd",
      "Linux, aarch64, linux-aarch_64, workerd",
      "Mac OS X, x86_64, osx-x86_64, workerd",
      "Mac OS X, aarch64, osx-aarch_64, workerd",
      "Windows 11, amd64, windows-x86_64, workerd.exe",
      "Windows Server 2022, amd64, windows-x86_64, workerd.exe",
  })
  void eachOfTheFivePlatformsHasItsClassifier(String osName, String osArch, String classifier, String binary) {
    assertThat(Platform.of(osName, osArch)).as("platform of %s/%s", osName, osArch)
        .contains(new Platform(classifier, binary));
  }

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource({"Linux, riscv64", "Linux, x86", "FreeBSD, amd64", "Windows 11, aarch64", "SunOS, sparcv9"})
  void platformsWorkerdIsNotBuiltForHaveNone(String osName, String osArch) {
    assertThat(Platform.of(osName, osArch)).as("platform of %s/%s", osName, osArch).isEmpty();
  }

  @Test
  void everyClassifierIsReachable() {
    assertThat(Platform.CLASSIFIERS).as("the classifiers the build packages").containsExactly(
        Platform.of("Linux", "amd64").map(Platform::classifier).orElseThrow(),
        Platform.of("Linux", "aarch64").map(Platform::classifier).orElseThrow(),
        Platform.of("Mac OS X", "x86_64").map(Platform::classifier).orElseThrow(),
        Platform.of("Mac OS X", "aarch64").map(Platform::classifier).orElseThrow(),
        Platform.of("Windows 10", "amd64").map(Platform::classifier).orElseThrow());
  }
}
