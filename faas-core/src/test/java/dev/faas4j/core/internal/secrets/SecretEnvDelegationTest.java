package dev.faas4j.core.internal.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionProvider;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SecretEnv wraps every provider: a default method of {@link FunctionProvider} it did not override
 * would answer with the SPI's default instead of the provider's own (e.g. one endpoint instead of
 * every replica's).
 */
class SecretEnvDelegationTest {

  @Test
  void everyDefaultMethodOfTheSpiIsForwardedToTheProvider() throws Exception {
    List<String> inherited = Arrays.stream(FunctionProvider.class.getMethods())
        .filter(Method::isDefault)
        .filter(m -> {
          try {
            return SecretEnv.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass() != SecretEnv.class;
          } catch (NoSuchMethodException e) {
            return true;
          }
        })
        .map(Method::getName)
        .toList();

    assertThat(inherited).as("default methods SecretEnv does not forward").isEmpty();
  }
}
