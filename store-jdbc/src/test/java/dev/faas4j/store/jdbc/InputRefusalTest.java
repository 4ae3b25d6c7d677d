package dev.faas4j.store.jdbc;

import static dev.faas4j.store.jdbc.Fixtures.state;
import static dev.faas4j.store.jdbc.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionState;
import dev.faas4j.api.FunctionVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** Input the store refuses before it reaches the database, and builder options it refuses. */
class InputRefusalTest {

  @TempDir
  Path dir;

  private JdbcFunctionStore store(long maxCodeBytes) throws Exception {
    return JdbcFunctionStore.sqliteBuilder(dir.resolve("faas4j.db")).maxCodeBytes(maxCodeBytes).build();
  }

  private static FunctionState withSpec(FunctionSpec spec) {
    return new FunctionState(spec.name(), 1, java.util.List.of(new FunctionVersion(spec, Fixtures.T0)),
        Map.of(), spec.version());
  }

  @Test
  void codeOverTheDefaultLimitIsRefusedAsPayloadTooLargeAndNothingIsStored() throws Exception {
    String code = "x".repeat((int) JdbcFunctionStore.DEFAULT_MAX_CODE_BYTES + 1);
    try (JdbcFunctionStore store = JdbcFunctionStore.sqlite(dir.resolve("faas4j.db"))) {
      assertThatThrownBy(() -> store.save(state("big", 1, "v1", Map.of(), version("big", "v1", code))))
          .as("10 MiB + 1 byte of code")
          .isInstanceOfSatisfying(FaasException.class,
              e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.PAYLOAD_TOO_LARGE))
          .hasMessageContaining("maxCodeBytes");
      assertThat(store.load("big")).as("nothing stored").isEmpty();
    }
  }

  @Test
  void theLimitCountsUtf8BytesNotCharacters() throws Exception {
    try (JdbcFunctionStore store = store(10)) {
      assertThat(store.save(state("ok", 1, "v1", Map.of(), version("ok", "v1", "ééééé"))))
          .as("5 characters, 10 bytes: at the limit").isTrue();
      assertThatThrownBy(() -> store.save(state("big", 1, "v1", Map.of(), version("big", "v1", "éééééx"))))
          .as("6 characters, 11 bytes")
          .isInstanceOfSatisfying(FaasException.class,
              e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.PAYLOAD_TOO_LARGE));
      assertThat(store.load("big")).as("nothing stored").isEmpty();
    }
  }

  @Test
  void anOversizedVersionInALaterSaveLeavesTheStoredStateAlone() throws Exception {
    try (JdbcFunctionStore store = store(100)) {
      FunctionState first = state("hello", 1, "v1", Map.of(), version("hello", "v1", "small"));
      store.save(first);

      assertThatThrownBy(() -> store.save(state("hello", 2, "v2", Map.of(),
          version("hello", "v1", "small"), version("hello", "v2", "y".repeat(101)))))
          .isInstanceOf(FaasException.class);
      assertThat(store.load("hello")).as("revision 1 unchanged").contains(first);
    }
  }

  @Test
  void anUnpairedSurrogateInCodeIsRefusedAsInvalidRequest() throws Exception {
    try (JdbcFunctionStore store = store(1000)) {
      assertThatThrownBy(() -> store.save(state("bad", 1, "v1", Map.of(), version("bad", "v1", "ok \uD83D then"))))
          .as("a high surrogate without its low half")
          .isInstanceOfSatisfying(FaasException.class,
              e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST))
          .hasMessageContaining("lone UTF-16 surrogate"); // FunctionSpec refuses it before the store sees it
      assertThat(store.load("bad")).as("nothing stored").isEmpty();
    }
  }

  @Test
  void anUnpairedSurrogateInAnEnvValueIsRefusedAsInvalidRequest() throws Exception {
    try (JdbcFunctionStore store = store(1000)) {
      assertThatThrownBy(() -> store.save(withSpec(
              FunctionSpec.builder("bad").version("v1").code("x").env("GREETING", "\uDE00 alone").build())))
          .as("a low surrogate alone in an env value")
          .isInstanceOfSatisfying(FaasException.class,
              e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST))
          .hasMessageContaining("GREETING");
      assertThat(store.load("bad")).as("nothing stored").isEmpty();
    }
  }

  @Test
  void aPairedSurrogateIsStoredAndLoadsBack() throws Exception {
    FunctionSpec spec = FunctionSpec.builder("emoji").version("v1").code("\uD83D\uDE00").label("mood", "\uD83D\uDE00")
        .build();
    try (JdbcFunctionStore store = store(4)) {
      assertThat(store.save(withSpec(spec))).as("one emoji: 4 bytes, at the limit").isTrue();
      assertThat(store.load("emoji")).contains(withSpec(spec));
    }
  }

  @Test
  void aNulCharacterInTheImageIsRefusedAsInvalidRequest() throws Exception {
    try (JdbcFunctionStore store = store(1000)) {
      assertThatThrownBy(() -> store.save(withSpec(
              FunctionSpec.builder("img").version("v1").runtime("docker").image("alpine\u0000:3").build())))
          .as("NUL, which a PostgreSQL text column cannot hold")
          .isInstanceOfSatisfying(FaasException.class,
              e -> assertThat(e.reason()).isEqualTo(FaasException.Reason.INVALID_REQUEST));
    }
  }

  @Test
  void settingMaxCodeBytesTwiceIsRefused() {
    JdbcFunctionStoreBuilder builder = JdbcFunctionStore.sqliteBuilder(dir.resolve("x.db")).maxCodeBytes(5);

    assertThatThrownBy(() -> builder.maxCodeBytes(6)).as("second maxCodeBytes")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
  }

  @Test
  void aNonPositiveMaxCodeBytesIsRefused() {
    assertThatThrownBy(() -> JdbcFunctionStore.sqliteBuilder(dir.resolve("x.db")).maxCodeBytes(0))
        .as("maxCodeBytes(0)").isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBusyTimeoutForACallersDataSourceIsRefused() {
    DataSource callers = new SQLiteDataSource();

    assertThatThrownBy(() -> JdbcFunctionStore.builder(callers).busyTimeout(Duration.ofSeconds(1)))
        .as("busyTimeout on builder(DataSource)")
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("your own DataSource");
  }
}
