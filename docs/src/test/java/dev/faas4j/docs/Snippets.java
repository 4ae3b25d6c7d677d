package dev.faas4j.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the code blocks of a Markdown file with the marker written right before each, and the
 * marked regions of source files, and compares the two.
 *
 * <p>A marker is an HTML comment on the line before the opening fence:
 * <ul>
 *   <li>{@code <!-- snippet: path/to/Source.java#name -->}: the block is the region {@code name} of
 *       that file (several regions: {@code #imports,class}, joined by one blank line);
 *   <li>{@code <!-- snippet: managed-by faas-bom/pom.xml -->}: every Maven dependency in the block is
 *       that BOM itself or one it manages, at its version;
 *   <li>{@code <!-- snippet: none, <why> -->}: deliberately not checked.
 * </ul>
 * A region is the lines between {@code readme:begin name} and {@code readme:end name}, whatever
 * comment syntax carries them ({@code //}, {@code #}, {@code <!-- -->}); marker lines of other
 * regions inside it are left out. Both sides are compared after removing their common indentation,
 * trailing blanks, and blank lines at either end.
 */
final class Snippets {

  private static final Pattern FENCE = Pattern.compile("^```(\\S*)\\s*$");
  private static final Pattern MARKER = Pattern.compile("^<!--\\s*snippet:\\s*(.*?)\\s*-->\\s*$");
  private static final Pattern REGION_MARK = Pattern.compile("readme:(begin|end)\\s+([A-Za-z0-9_.-]+)");

  private Snippets() {}

  /** One fenced code block: where it is, its language, its marker (if any) and its lines. */
  record Block(String doc, int line, String language, Optional<String> marker, List<String> lines) {
    /** {@code README.md:42}, for messages. */
    String where() {
      return doc + ":" + line;
    }
  }

  /** Every fenced block of {@code markdown}; {@code doc} names it in messages. */
  static List<Block> blocks(String doc, List<String> markdown) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < markdown.size(); i++) {
      Matcher open = FENCE.matcher(markdown.get(i));
      if (!open.matches()) {
        continue;
      }
      int close = i + 1;
      while (close < markdown.size() && !markdown.get(close).startsWith("```")) {
        close++;
      }
      if (close == markdown.size()) {
        throw new IllegalArgumentException(doc + ":" + (i + 1) + ": code block never closed");
      }
      Optional<String> marker = Optional.empty();
      if (i > 0) {
        Matcher m = MARKER.matcher(markdown.get(i - 1).trim());
        if (m.matches()) {
          marker = Optional.of(m.group(1));
        }
      }
      blocks.add(new Block(doc, i + 1, open.group(1), marker, List.copyOf(markdown.subList(i + 1, close))));
      i = close;
    }
    return blocks;
  }

  /**
   * The lines of region {@code name} in {@code source} ({@code file} names it in messages), without
   * the marker lines of regions nested in it.
   *
   * @throws IllegalArgumentException if the region is missing, repeated or never ended
   */
  static List<String> region(String file, List<String> source, String name) {
    List<String> lines = null;
    boolean seen = false;
    for (int i = 0; i < source.size(); i++) {
      Matcher m = REGION_MARK.matcher(source.get(i));
      if (m.find()) {
        if (m.group(2).equals(name)) {
          if (m.group(1).equals("begin")) {
            if (seen) {
              throw new IllegalArgumentException(file + ":" + (i + 1) + ": region '" + name + "' begins twice");
            }
            seen = true;
            lines = new ArrayList<>();
          } else if (lines == null) {
            throw new IllegalArgumentException(file + ":" + (i + 1) + ": region '" + name + "' ends before it begins");
          } else {
            return lines;
          }
        }
        continue;
      }
      if (lines != null) {
        lines.add(source.get(i));
      }
    }
    throw new IllegalArgumentException(file + ": region '" + name + "' "
        + (seen ? "has no 'readme:end " + name + "'" : "not found (no 'readme:begin " + name + "')"));
  }

  /** The names of every region that begins in {@code source}. */
  static List<String> regionNames(List<String> source) {
    List<String> names = new ArrayList<>();
    for (String line : source) {
      Matcher m = REGION_MARK.matcher(line);
      if (m.find() && m.group(1).equals("begin")) {
        names.add(m.group(2));
      }
    }
    return names;
  }

  /**
   * The text a {@code path#a,b} marker stands for: regions {@code a} and {@code b} of the file,
   * each normalised, joined by one blank line.
   */
  static List<String> expected(Path root, String target) {
    int hash = target.indexOf('#');
    if (hash < 0) {
      throw new IllegalArgumentException("marker '" + target + "' names no region: write path#region");
    }
    String file = target.substring(0, hash);
    List<String> source = read(root.resolve(file));
    List<String> joined = new ArrayList<>();
    for (String name : Arrays.asList(target.substring(hash + 1).split(","))) {
      if (!joined.isEmpty()) {
        joined.add("");
      }
      joined.addAll(normalise(region(file, source, name.trim())));
    }
    return joined;
  }

  /** Without trailing blanks, blank lines at either end, and the indentation all lines share. */
  static List<String> normalise(List<String> lines) {
    List<String> trimmed = new ArrayList<>();
    for (String line : lines) {
      trimmed.add(line.stripTrailing());
    }
    while (!trimmed.isEmpty() && trimmed.get(0).isEmpty()) {
      trimmed.remove(0);
    }
    while (!trimmed.isEmpty() && trimmed.get(trimmed.size() - 1).isEmpty()) {
      trimmed.remove(trimmed.size() - 1);
    }
    int indent = trimmed.stream().filter(l -> !l.isEmpty())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    List<String> out = new ArrayList<>();
    for (String line : trimmed) {
      out.add(line.isEmpty() ? line : line.substring(indent));
    }
    return out;
  }

  /**
   * Empty when {@code shown} is {@code expected}; otherwise a message naming {@code what} and the
   * first line where they part, with both versions of that line.
   */
  static Optional<String> difference(String what, List<String> shown, List<String> expected) {
    return difference(what, shown, expected, 0);
  }

  /**
   * The same, naming also the document's line number of the first differing line, where the
   * shown lines start at document line {@code firstLine} ({@code 0}: unknown).
   */
  static Optional<String> difference(String what, List<String> shown, List<String> expected, int firstLine) {
    int leadingBlanks = 0;
    while (leadingBlanks < shown.size() && shown.get(leadingBlanks).isBlank()) {
      leadingBlanks++;
    }
    List<String> a = normalise(shown);
    for (int i = 0; i < Math.max(a.size(), expected.size()); i++) {
      String readme = i < a.size() ? a.get(i) : null;
      String source = i < expected.size() ? expected.get(i) : null;
      if (readme == null || !readme.equals(source)) {
        String at = firstLine > 0 ? " (document line " + (firstLine + leadingBlanks + i) + ")" : "";
        return Optional.of(what + " differs from its source at line " + (i + 1) + " of the snippet" + at + ":\n"
            + "  README: " + (readme == null ? "(snippet ends)" : readme) + "\n"
            + "  source: " + (source == null ? "(region ends)" : source));
      }
    }
    return Optional.empty();
  }

  static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
