package dev.faas4j.core.internal.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web console's static files ({@code GET {admin path}/console/...}), read once from the class
 * path ({@code dev/faas4j/core/console/}) and served without credentials: they hold no data, and
 * every call the console makes for data goes to the admin API with the token the user typed.
 *
 * <p>Only the files listed in {@link #FILES} exist; any other name (a traversal such as
 * {@code ..%2f} included) is 404 without touching the class path. Every answer carries a strict
 * Content-Security-Policy (this origin only, no inline script or style, no framing),
 * {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer}, an {@code ETag}
 * and {@code Cache-Control: no-cache}, so that a browser checks for a newer jar's files before it
 * uses its copy.
 *
 * <p>Thread-safe: immutable after construction.
 */
final class ConsoleFiles {

  /** The path below the admin servlet where the console lives. */
  static final String PATH = "/console";

  /** The policy of every console answer: nothing but this origin, no inline code, no framing. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
      + " frame-ancestors 'none'";

  /** Each file the console has, with its content type; {@code index.html} is served for {@code /console/}. */
  static final Map<String, String> FILES = Map.of(
      "index.html", "text/html;charset=utf-8",
      "console.css", "text/css;charset=utf-8",
      "app.js", "text/javascript;charset=utf-8",
      "api.js", "text/javascript;charset=utf-8",
      "views.js", "text/javascript;charset=utf-8",
      "function-page.js", "text/javascript;charset=utf-8",
      "dom.js", "text/javascript;charset=utf-8",
      "favicon.svg", "image/svg+xml");

  private static final String RESOURCES = "/dev/faas4j/core/console/";

  private final Map<String, File> files = new LinkedHashMap<>();

  ConsoleFiles() {
    FILES.forEach((name, type) -> files.put(name, load(name, type)));
  }

  /** Whether {@code pathInfo} (below the admin servlet) names the console or something in it. */
  static boolean isConsole(String pathInfo) {
    return pathInfo != null && (pathInfo.equals(PATH) || pathInfo.startsWith(PATH + "/"));
  }

  /** Answers a GET or HEAD of a console path: a file, a redirect to the directory, or 404. */
  void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String pathInfo = request.getPathInfo();
    secure(response);
    if (pathInfo.equals(PATH)) {
      // relative links in index.html resolve against a directory: send /console to /console/
      response.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
      response.setHeader("Location", request.getRequestURI() + "/");
      return;
    }
    String name = pathInfo.substring(PATH.length() + 1);
    File file = files.get(name.isEmpty() ? "index.html" : name);
    // the raw URI must end with the same name: a container may have decoded %2f or dot segments
    if (file == null || !request.getRequestURI().endsWith("/console/" + name)) {
      byte[] body = "not found\n".getBytes(StandardCharsets.US_ASCII);
      response.setStatus(HttpServletResponse.SC_NOT_FOUND);
      response.setContentType("text/plain;charset=utf-8");
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
      return;
    }
    response.setHeader("ETag", file.etag());
    response.setHeader("Cache-Control", "no-cache");
    String seen = request.getHeader("If-None-Match");
    if (file.etag().equals(seen)) {
      response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
      return;
    }
    response.setStatus(200);
    response.setContentType(file.type());
    response.setContentLength(file.bytes().length);
    response.getOutputStream().write(file.bytes());
  }

  /** The headers every console answer carries, whatever its status. */
  static void secure(HttpServletResponse response) {
    response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
  }

  private static File load(String name, String type) {
    try (InputStream in = ConsoleFiles.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("the console file " + RESOURCES + name + " is missing from faas-core's jar");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new File(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the console file " + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record File(byte[] bytes, String type, String etag) {}
}
