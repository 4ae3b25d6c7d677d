package dev.faas4j.core;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether a request may use the admin API. Function traffic is never behind it.
 *
 * <p>Built-in: {@link #none()}, {@link #bearerToken(String)}, {@link #basic(String, String)} and
 * {@link #anyOf(List)}; the credential checks compare in constant time (the time depends only on
 * the length of what was sent). A request that fails is answered 401 with the
 * {@link #challenge()} as {@code WWW-Authenticate}, before its body is read. Implementations must
 * be thread-safe and must not throw for missing or malformed credentials (return false).
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
    return new ExpectedAuthorization("Bearer", token, "Bearer realm=\"faas4j\"");
  }

  /** Requires HTTP basic authentication with this user and password. */
  static AdminAuthenticator basic(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.indexOf(':') >= 0) {
      throw new IllegalArgumentException("a basic-auth user name may not contain ':'");
    }
    String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new ExpectedAuthorization("Basic", credentials, "Basic realm=\"faas4j\", charset=\"UTF-8\"");
  }

  /**
   * Accepts a request that any of {@code authenticators} accepts (e.g. a bearer token for
   * scripts and basic auth for people); its challenge lists each of theirs. Every one is asked,
   * so the time taken does not tell which one nearly matched.
   *
   * @throws IllegalArgumentException if the list is empty
   */
  static AdminAuthenticator anyOf(List<AdminAuthenticator> authenticators) {
    List<AdminAuthenticator> all = List.copyOf(authenticators);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("anyOf needs at least one authenticator; use none() to let everyone in");
    }
    if (all.size() == 1) {
      return all.get(0);
    }
    String challenges = String.join(", ", all.stream().map(AdminAuthenticator::challenge)
        .filter(Objects::nonNull).toList());
    return new AdminAuthenticator() {
      @Override
      public boolean authenticate(HttpServletRequest request) {
        boolean accepted = false;
        for (AdminAuthenticator authenticator : all) {
          accepted |= authenticator.authenticate(request);
        }
        return accepted;
      }

      @Override
      public String challenge() {
        return challenges.isEmpty() ? null : challenges;
      }
    };
  }

  /**
   * Accepts requests whose {@code Authorization} header names one scheme and carries one
   * credential. The scheme is compared without regard to case, as RFC 9110 (section 11.1) asks,
   * and may be followed by more than one space; the credential is compared exactly, in constant
   * time.
   */
  final class ExpectedAuthorization implements AdminAuthenticator {
    private final String scheme;
    private final byte[] credential;
    private final String challenge;

    private ExpectedAuthorization(String scheme, String credential, String challenge) {
      this.scheme = scheme;
      this.credential = credential.getBytes(StandardCharsets.UTF_8);
      this.challenge = challenge;
    }

    @Override
    public boolean authenticate(HttpServletRequest request) {
      String header = request.getHeader("Authorization");
      int space = header == null ? -1 : header.indexOf(' ');
      boolean schemeMatches = space == scheme.length() && header.regionMatches(true, 0, scheme, 0, space);
      String sent = space < 0 ? "" : header.substring(space).stripLeading();
      // compared even when the scheme is wrong, so the time taken does not tell which part failed
      boolean credentialMatches = MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), credential);
      return schemeMatches & credentialMatches;
    }

    @Override
    public String challenge() {
      return challenge;
    }
  }
}
