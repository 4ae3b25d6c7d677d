package dev.faas4j.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.docs.Snippets.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The README's quickstarts are the text of sources that the build compiles and tests: each code
 * block a reader would copy (Java, XML, properties) carries a marker naming its source region (see
 * {@link Snippets}), and must equal it. Shell sessions and JSON answers are not checked here; the
 * standalone gateway's tour is run by {@code ReadmeTour} in examples/gateway.
 */
class ReadmeSnippetsTest {

  private static final Path ROOT = Path.of(System.getProperty("faas4j.root", "..")).toAbsolutePath().normalize();
  /** The documents whose blocks are checked. */
  private static final List<String> DOCS =
      List.of("README.md", "examples/jetty-embedded/README.md", "examples/spring-boot/README.md");
  /** What a reader pastes into a project. */
  private static final Set<String> COPYABLE = Set.of("java", "xml", "properties");
  /** Where the regions the documents show live. */
  private static final List<String> SOURCE_TREES =
      List.of("examples/jetty-embedded", "examples/spring-boot", "examples/testing");

  @Test
  void everyCopyableBlockSaysWhereItComesFrom() {
    List<String> unmarked = allBlocks().stream()
        .filter(b -> COPYABLE.contains(b.language()) && b.marker().isEmpty())
        .map(b -> b.where() + " (" + b.language() + ")")
        .collect(Collectors.toList());

    assertThat(unmarked).as("code blocks without a '<!-- snippet: ... -->' line right before them; name their "
        + "source region, or write 'snippet: none, <why>'").isEmpty();
  }

  @TestFactory
  Stream<DynamicTest> eachMarkedBlockIsItsSource() {
    return allBlocks().stream().filter(b -> b.marker().isPresent())
        .map(b -> DynamicTest.dynamicTest(b.where() + " " + b.marker().get(), () -> check(b)));
  }

  @Test
  void everyRegionInTheExamplesIsShownInADocument() throws IOException {
    Set<String> shown = new HashSet<>();
    for (Block block : allBlocks()) {
      String marker = block.marker().orElse("");
      int hash = marker.indexOf('#');
      if (hash > 0) {
        for (String name : marker.substring(hash + 1).split(",")) {
          shown.add(marker.substring(0, hash) + "#" + name.trim());
        }
      }
    }
    List<String> orphans = new ArrayList<>();
    for (Path file : sourceFiles()) {
      String relative = ROOT.relativize(file).toString().replace('\\', '/');
      for (String name : Snippets.regionNames(Snippets.read(file))) {
        if (!shown.contains(relative + "#" + name)) {
          orphans.add(relative + "#" + name);
        }
      }
    }

    assertThat(orphans).as("regions marked for the README that no document shows (drop the markers, or show them)")
        .isEmpty();
  }

  // The checker itself: a drift must be caught, and reported so that it is found at once.

  @Test
  void aChangedLineIsReportedWithItsNumberAndBothVersions() {
    Optional<String> difference = Snippets.difference("README.md:10 X.java#a",
        List.of("int a = 1;", "int b = 2;"), List.of("int a = 1;", "int b = 3;"));

    assertThat(difference).hasValueSatisfying(message -> assertThat(message)
        .contains("README.md:10 X.java#a", "line 2", "README: int b = 2;", "source: int b = 3;"));
  }

  @Test
  void theDocumentLineOfTheDifferenceIsNamed() {
    Optional<String> difference = Snippets.difference("s", List.of("", "a();", "c();"), List.of("a();", "b();"), 41);

    assertThat(difference).hasValueSatisfying(message -> assertThat(message).contains("(document line 43)"));
  }

  @Test
  void aSnippetShorterThanItsRegionIsADifference() {
    assertThat(Snippets.difference("s", List.of("a();"), List.of("a();", "b();")))
        .hasValueSatisfying(message -> assertThat(message).contains("line 2", "(snippet ends)", "source: b();"));
  }

  @Test
  void indentationAndTrailingBlanksAreNoDifference() {
    List<String> source = List.of("    // readme:begin r", "    if (x) {  ", "      y();", "    }", "    // readme:end r");

    List<String> region = Snippets.normalise(Snippets.region("F.java", source, "r"));

    assertThat(Snippets.difference("s", List.of("", "if (x) {", "  y();", "}", ""), region)).isEmpty();
  }

  @Test
  void nestedMarkersAreLeftOutOfTheOuterRegion() {
    List<String> source = List.of("<!-- readme:begin outer -->", "a", "<!-- readme:begin inner -->", "b",
        "<!-- readme:end inner -->", "<!-- readme:end outer -->");

    assertThat(Snippets.region("pom.xml", source, "outer")).containsExactly("a", "b");
    assertThat(Snippets.region("pom.xml", source, "inner")).containsExactly("b");
  }

  @Test
  void aMissingOrUnendedRegionIsNamed() {
    assertThatThrownBy(() -> Snippets.region("F.java", List.of("x"), "jetty"))
        .hasMessageContaining("F.java").hasMessageContaining("'jetty' not found");
    assertThatThrownBy(() -> Snippets.region("F.java", List.of("# readme:begin jetty", "x"), "jetty"))
        .hasMessageContaining("no 'readme:end jetty'");
  }

  @Test
  void aDependencyTheBomDoesNotManageOrAtAnotherVersionIsReported() {
    Dependencies.Bom bom = Dependencies.bom(String.join("\n", Snippets.read(ROOT.resolve("faas-bom/pom.xml"))));

    List<Dependencies.Dependency> block = Dependencies.parse(
        "<dependency><groupId>dev.faas4j</groupId><artifactId>faas-kore</artifactId></dependency>"
            + "<dependency><groupId>dev.faas4j</groupId><artifactId>faas-core</artifactId><version>0.0.1</version></dependency>"
            + "<dependency><groupId>dev.faas4j</groupId><artifactId>faas-core</artifactId></dependency>");

    assertThat(Dependencies.problem(block.get(0), bom)).hasValueSatisfying(p -> assertThat(p).contains("faas-kore"));
    assertThat(Dependencies.problem(block.get(1), bom)).hasValueSatisfying(p -> assertThat(p).contains("0.0.1"));
    assertThat(Dependencies.problem(block.get(2), bom)).isEmpty();
  }

  private static void check(Block block) {
    String marker = block.marker().orElseThrow();
    String what = block.where() + " (" + marker + ")";
    if (marker.startsWith("none")) {
      assertThat(marker).as("%s: an unchecked block says why", what).matches("none,\\s*\\S.*");
    } else if (marker.startsWith("managed-by ")) {
      Path bomFile = ROOT.resolve(marker.substring("managed-by ".length()).trim());
      Dependencies.Bom bom = Dependencies.bom(String.join("\n", Snippets.read(bomFile)));
      List<Dependencies.Dependency> dependencies = Dependencies.parse(String.join("\n", block.lines()));
      assertThat(dependencies).as("%s: Maven dependencies in the block", what).isNotEmpty();
      assertThat(dependencies.stream().map(d -> Dependencies.problem(d, bom)).flatMap(Optional::stream))
          .as("%s: dependencies a reader could not use as shown", what).isEmpty();
    } else {
      Optional<String> difference = Snippets.difference(what, block.lines(), Snippets.expected(ROOT, marker), block.line() + 1);
      assertThat(difference).as("README snippet and source drifted apart; change one to match the other")
          .isEmpty();
    }
  }

  private static List<Block> allBlocks() {
    List<Block> blocks = new ArrayList<>();
    for (String doc : DOCS) {
      blocks.addAll(Snippets.blocks(doc, Snippets.read(ROOT.resolve(doc))));
    }
    return blocks;
  }

  private static List<Path> sourceFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String tree : SOURCE_TREES) {
      try (Stream<Path> walk = Files.walk(ROOT.resolve(tree))) {
        walk.filter(Files::isRegularFile)
            .filter(p -> !ROOT.relativize(p).toString().contains("/target/"))
            .filter(p -> p.toString().matches(".*\\.(java|xml|properties)$"))
            .forEach(files::add);
      }
    }
    return files;
  }
}
