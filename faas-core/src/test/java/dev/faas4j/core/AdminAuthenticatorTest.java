package dev.faas4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the built-in authenticators accept: the scheme in any case (RFC 9110), the credential exactly. */
class AdminAuthenticatorTest {

  private static final AdminAuthenticator TOKEN = AdminAuthenticator.bearerToken("s3cret");
  /** "ada:pw" in base64. */
  private static final AdminAuthenticator BASIC = AdminAuthenticator.basic("ada", "pw");

  @ParameterizedTest(name = "bearer: \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      "Bearer s3cret | true",
      "bearer s3cret | true",
      "BEARER s3cret | true",
      "Bearer   s3cret | true",
      "Bearer S3cret | false",
      "Bearer s3cret2 | false",
      "Bearer | false",
      "Bearers3cret | false",
      "Basic s3cret | false",
      "s3cret | false",
      "Bear s3cret | false",
  })
  void aBearerTokenIsTakenWithTheSchemeInAnyCaseAndTheTokenExactly(String header, boolean accepted) {
    assertThat(TOKEN.authenticate(request(header))).as("Authorization: " + header).isEqualTo(accepted);
  }

  @ParameterizedTest(name = "basic: \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      "Basic YWRhOnB3 | true",
      "basic YWRhOnB3 | true",
      "Basic ywrhOnB3 | false",
      "Bearer YWRhOnB3 | false",
  })
  void basicCredentialsAreTakenWithTheSchemeInAnyCase(String header, boolean accepted) {
    assertThat(BASIC.authenticate(request(header))).as("Authorization: " + header).isEqualTo(accepted);
  }

  @ParameterizedTest(name = "anyOf: \"{0}\" -> {1}")
  @CsvSource(delimiter = '|', value = {
      "bearer s3cret | true",
      "BASIC YWRhOnB3 | true",
      "Basic s3cret | false",
  })
  void anyOfAcceptsWhatOneOfItsAuthenticatorsAccepts(String header, boolean accepted) {
    AdminAuthenticator either = AdminAuthenticator.anyOf(List.of(TOKEN, BASIC));
    assertThat(either.authenticate(request(header))).as("Authorization: " + header).isEqualTo(accepted);
  }

  @org.junit.jupiter.api.Test
  void noAuthorizationHeaderIsRefused() {
    assertThat(TOKEN.authenticate(request(null))).isFalse();
    assertThat(BASIC.authenticate(request(null))).isFalse();
  }

  private static HttpServletRequest request(String authorization) {
    HttpServletRequest request = mock(HttpServletRequest.class);
    when(request.getHeader("Authorization")).thenReturn(authorization);
    return request;
  }
}
