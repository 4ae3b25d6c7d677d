package dev.faas4j.core;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;

/**
 * Decides whether a request may use the admin API. Function traffic is never behind it.
 *
 * <p>Built-in: {@link #none()}, {@link #bearerToken(String)} and {@link #basic(String, String)};
 * both compare credentials in constant time. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface AdminAuthenticator {

  /** Whether the request carries valid credentials. */
  boolean authenticate(HttpServletRequest request);

  /**
   * The {@code WWW-Authenticate} challenge sent with a 401, or null for none.
   */
  default String challenge() {
    return null;
  }

  /** Lets every request in. Suitable only when the admin API is not reachable from outside. */
  static AdminAuthenticator none() {
    return request -> true;
  }

  /** Requires {@code Authorization: Bearer <token>}. */
  static AdminAuthenticator bearerToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("the admin token must not be blank");
    }
    return new ExpectedAuthorization("Bearer " + token, "Bearer realm=\"faas4j\"");
  }

  /** Requires HTTP basic authentication with this user and password. */
  static AdminAuthenticator basic(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a basic-auth user name may not contain ':'");
    }
    String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new ExpectedAuthorization("Basic " + credentials, "Basic realm=\"faas4j\", charset=\"UTF-8\"");
  }

  /** Accepts requests whose {@code Authorization} header equals one value, compared in constant time. */
  final class ExpectedAuthorization implements AdminAuthenticator {
    private final byte[] expected;
    private final String challenge;

    private ExpectedAuthorization(String expected, String challenge) {
      this.expected = expected.getBytes(StandardCharsets.UTF_8);
      this.challenge = challenge;
    }

    @Override
    public boolean authenticate(HttpServletRequest request) {
      String header = request.getHeader("Authorization");
      byte[] actual = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
      return MessageDigest.isEqual(actual, expected);
    }

    @Override
    public String challenge() {
      return challenge;
    }
  }
}
