package dev.faas4j.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The secrets of {@link JdbcFunctionStore} ({@code faas4j_secrets}), run on each database. */
abstract class SecretStoreContract {

  private JdbcFunctionStore store;

  protected abstract JdbcFunctionStore newStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  @Test
  void aSecretIsStoredReplacedAndDeletedPerFunctionWhateverTheCaseOfItsName() throws Exception {
    store.putSecret("Hello", "TOKEN", "v1:one");
    store.putSecret("hello", "OTHER", "v1:two");
    store.putSecret("other", "TOKEN", "v1:three");
    store.putSecret("hello", "TOKEN", "v1:four");

    assertThat(store.secrets("HELLO")).isEqualTo(Map.of("TOKEN", "v1:four", "OTHER", "v1:two"));
    assertThat(store.deleteSecret("hello", "TOKEN")).isTrue();
    assertThat(store.deleteSecret("hello", "TOKEN")).as("a second delete finds nothing").isFalse();
    assertThat(store.secrets("hello")).isEqualTo(Map.of("OTHER", "v1:two"));
    assertThat(store.secrets("other")).isEqualTo(Map.of("TOKEN", "v1:three"));
    assertThat(store.secrets("nobody")).isEmpty();
  }

  @Test
  void secretsSurviveANewStoreOnTheSameDatabase() throws Exception {
    store.putSecret("hello", "TOKEN", "v1:kept");
    try (JdbcFunctionStore again = reopen()) {
      assertThat(again.secrets("hello")).isEqualTo(Map.of("TOKEN", "v1:kept"));
    }
  }

  /** A second store on the same database as the current one. */
  protected abstract JdbcFunctionStore reopen() throws Exception;
}
