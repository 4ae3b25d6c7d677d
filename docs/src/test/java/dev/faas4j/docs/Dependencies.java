package dev.faas4j.docs;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The Maven {@code <dependency>} elements of a README block, checked against a BOM: a block that
 * names an artifact the BOM does not manage, or a version other than the BOM's, would fail for a
 * reader who copies it.
 */
final class Dependencies {

  private Dependencies() {}

  /** One {@code <dependency>}; absent elements are empty strings. */
  record Dependency(String groupId, String artifactId, String version, String classifier, String type, String scope) {
    /** {@code group:artifact[:classifier][:type]}: what a BOM entry is matched on. */
    String key() {
      return groupId + ":" + artifactId + (classifier.isEmpty() ? "" : ":" + classifier)
          + (type.isEmpty() || type.equals("jar") ? "" : ":" + type);
    }
  }

  /** The BOM's own coordinates and what it manages. */
  record Bom(Dependency self, List<Dependency> managed) {}

  /**
   * Every {@code <dependency>} in {@code xml}, which may be a fragment with several top-level
   * elements.
   *
   * @throws IllegalArgumentException if the text is not well-formed XML
   */
  static List<Dependency> parse(String xml) {
    Element root = document("<fragment>" + xml.replaceFirst("^<\\?xml[^>]*\\?>", "") + "</fragment>");
    NodeList nodes = root.getElementsByTagName("dependency");
    List<Dependency> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(dependency((Element) nodes.item(i)));
    }
    return out;
  }

  /** A BOM's coordinates (its version as written, which must be literal) and its managed dependencies. */
  static Bom bom(String pom) {
    Element project = document(pom.replaceFirst("^<\\?xml[^>]*\\?>", ""));
    Dependency self = new Dependency(child(project, "groupId"), child(project, "artifactId"), child(project, "version"),
        "", "pom", "import");
    List<Dependency> managed = new ArrayList<>();
    for (Dependency d : parse(pom)) {
      managed.add(new Dependency(d.groupId(), d.artifactId(),
          d.version().equals("${project.version}") ? self.version() : d.version(), d.classifier(), d.type(), d.scope()));
    }
    return new Bom(self, managed);
  }

  /** Empty when {@code dependency} is the BOM (imported) or managed by it at its version; else why not. */
  static Optional<String> problem(Dependency dependency, Bom bom) {
    Dependency self = bom.self();
    if (dependency.groupId().equals(self.groupId()) && dependency.artifactId().equals(self.artifactId())) {
      if (!dependency.version().equals(self.version())) {
        return Optional.of("imports " + dependency.key() + " at version '" + dependency.version() + "', but the BOM is "
            + self.version());
      }
      if (!dependency.type().equals("pom") || !dependency.scope().equals("import")) {
        return Optional.of("names the BOM without <type>pom</type><scope>import</scope>");
      }
      return Optional.empty();
    }
    Optional<Dependency> managed = bom.managed().stream().filter(m -> m.key().equals(dependency.key())).findFirst();
    if (managed.isEmpty()) {
      return Optional.of(dependency.key() + " is not managed by the BOM, so it needs a version the README does not give");
    }
    if (!dependency.version().isEmpty() && !dependency.version().equals(managed.get().version())) {
      return Optional.of(dependency.key() + " at version '" + dependency.version() + "', but the BOM manages "
          + managed.get().version());
    }
    return Optional.empty();
  }

  private static Dependency dependency(Element e) {
    return new Dependency(child(e, "groupId"), child(e, "artifactId"), child(e, "version"), child(e, "classifier"),
        child(e, "type"), child(e, "scope"));
  }

  /** The text of {@code parent}'s direct child {@code name}, or "". */
  private static String child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().trim();
      }
    }
    return "";
  }

  private static Element document(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
          .getDocumentElement();
    } catch (Exception e) {
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    }
  }
}
