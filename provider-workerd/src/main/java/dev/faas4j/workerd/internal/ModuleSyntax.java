package dev.faas4j.workerd.internal;

/**
 * Tells an ES module from a service-worker script by looking for an {@code export} statement, the
 * one thing a module has and a script cannot. It reads the code the way a JavaScript lexer would as
 * far as that needs: comments, string literals and template literals are skipped, so a word in
 * them is not taken for a statement, and an {@code export} counts wherever a statement may start
 * (the start of the code, after {@code ;}, a brace or a line break), so minified code such as
 * {@code var a=1;export default{...}} is a module too. A leading byte-order mark is skipped.
 *
 * <p>It does not parse regular-expression literals; code whose only {@code export}-like text sits
 * in one, or whose author wants the other format, says so with the {@code format} option.
 */
final class ModuleSyntax {

  private static final String[] AFTER_EXPORT = {"default", "const", "let", "var", "function", "async", "class"};

  private ModuleSyntax() {}

  /** Whether {@code code} has an {@code export} statement outside comments and strings. */
  static boolean hasExport(String code) {
    int i = code.startsWith("\uFEFF") ? 1 : 0;
    boolean statementStart = true; // may a statement start at the next token?
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '/' && i + 1 < code.length() && code.charAt(i + 1) == '/') {
        i = skipPast(code, i + 2, "\n");
        statementStart = true;
      } else if (c == '/' && i + 1 < code.length() && code.charAt(i + 1) == '*') {
        i = skipPast(code, i + 2, "*/");
      } else if (c == '"' || c == '\'' || c == '`') {
        i = skipString(code, i);
        statementStart = false;
      } else if (Character.isWhitespace(c)) {
        statementStart |= c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
        i++;
      } else if (c == ';' || c == '{' || c == '}') {
        statementStart = true;
        i++;
      } else if (Character.isJavaIdentifierStart(c)) {
        int end = i;
        while (end < code.length() && Character.isJavaIdentifierPart(code.charAt(end))) {
          end++;
        }
        if (statementStart && code.startsWith("export", i) && end - i == 6 && exportFollows(code, end)) {
          return true;
        }
        statementStart = false;
        i = end;
      } else {
        statementStart = false;
        i++;
      }
    }
    return false;
  }

  /** Whether what follows {@code export} (after white space) makes it an export declaration. */
  private static boolean exportFollows(String code, int from) {
    int i = from;
    while (i < code.length() && Character.isWhitespace(code.charAt(i))) {
      i++;
    }
    if (i == code.length()) {
      return false;
    }
    char c = code.charAt(i);
    if (c == '{' || c == '*') {
      return true;
    }
    for (String word : AFTER_EXPORT) {
      int end = i + word.length();
      if (code.startsWith(word, i) && (end == code.length() || !Character.isJavaIdentifierPart(code.charAt(end)))) {
        return true;
      }
    }
    return false;
  }

  /** The index just past the first {@code end} at or after {@code from}, or the code's length. */
  private static int skipPast(String code, int from, String end) {
    int at = code.indexOf(end, from);
    return at < 0 ? code.length() : at + end.length();
  }

  /**
   * The index just past the string or template literal that starts at {@code start}. A template's
   * {@code ${...}} parts are skipped with it, braces counted, strings inside them honoured.
   */
  private static int skipString(String code, int start) {
    char quote = code.charAt(start);
    int i = start + 1;
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote) {
        return i + 1;
      } else if (quote == '`' && c == '$' && i + 1 < code.length() && code.charAt(i + 1) == '{') {
        i = skipSubstitution(code, i + 2);
      } else if (quote != '`' && c == '\n') {
        return i; // an unterminated string: the engine reports it; the detection goes on
      } else {
        i++;
      }
    }
    return i;
  }

  /** The index just past the {@code }} that closes a template substitution opened before {@code from}. */
  private static int skipSubstitution(String code, int from) {
    int depth = 1;
    int i = from;
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = skipString(code, i);
        continue;
      }
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i + 1;
      }
      i++;
    }
    return i;
  }
}
