package dev.faas4j.store.jdbc;

import static dev.faas4j.store.jdbc.Fixtures.state;
import static dev.faas4j.store.jdbc.Fixtures.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faas4j.api.Change;
import dev.faas4j.api.FunctionStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The change feed between stores on one PostgreSQL database: LISTEN/NOTIFY, and what happens when
 * the listening connection is killed. Without {@code FAAS4J_TEST_PG_URL} the tests are skipped, or
 * fail under {@code CI=true}.
 */
@ExtendWith(RequiresPostgres.class)
class PostgresChangeFeedTest extends SharedFileOrDatabaseFeedContract {

  private PostgresTestDatabase database;

  @BeforeEach
  void createSchema() throws Exception {
    database = PostgresTestDatabase.create(10);
  }

  /** Runs before the contract's check for leftover threads; every store is closed by then. */
  @AfterEach
  void dropSchema() throws Exception {
    database.close();
  }

  @Override
  protected JdbcFunctionStore openStore() throws SQLException {
    return JdbcFunctionStore.builder(database.dataSource()).build();
  }

  @Test
  void afterItsListeningConnectionIsKilledTheStoreReconnectsAsksForAResyncAndHearsChangesAgain()
      throws Exception {
    try (JdbcFunctionStore a = openStore(); JdbcFunctionStore b = openStore()) {
      ListenerCalls calls = new ListenerCalls();
      try (FunctionStore.Subscription subscription = b.subscribe(calls)) {
        assertThat(terminateListeners()).as("listening backends terminated").isEqualTo(1);
        a.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one"))); // while B may be away

        calls.awaitResync("after the listening connection was killed");
        assertThat(b.changesSince(0, 10).changes()).as("what B finds when it resyncs").hasSize(2);

        calls.clear();
        a.announce("hello", Change.Kind.VERSION_STOPPED, "v1");
        calls.awaitCall("a change after the reconnect");
      }
    }
  }

  @Test
  void aPoolWhoseConnectionsDoNotUnwrapToPgConnectionIsRefusedAtSubscribe() throws Exception {
    DataSource hiding = hidingDataSource(database.dataSource());
    try (JdbcFunctionStore store = JdbcFunctionStore.builder(hiding).build()) {
      assertThatThrownBy(() -> store.subscribe(resync -> {}))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("org.postgresql.PGConnection")
          .hasMessageContaining("poll changesSince");
      store.save(state("hello", 1, "v1", Map.of(), version("hello", "v1", "one")));
      assertThat(store.currentRevision()).as("the feed itself works without push").isEqualTo(2);
    }
  }

  @Test
  void closingTheStoreStopsListening() throws Exception {
    JdbcFunctionStore store = openStore();
    store.subscribe(resync -> {});
    assertThat(listeners()).as("listening backends while subscribed").isEqualTo(1);

    store.close();

    assertThat(listeners()).as("listening backends after close").isZero();
  }

  /** Backends of this test's pool whose last statement was a LISTEN. */
  private int listeners() throws SQLException {
    return countListeners("SELECT COUNT(*)");
  }

  private int terminateListeners() throws SQLException {
    return countListeners("SELECT COUNT(pg_terminate_backend(pid))");
  }

  private int countListeners(String select) throws SQLException {
    try (Connection admin = java.sql.DriverManager.getConnection(PostgresTestDatabase.serverUrl());
        PreparedStatement statement = admin.prepareStatement(select
            + " FROM pg_stat_activity WHERE application_name = ? AND query LIKE 'LISTEN%'")) {
      statement.setString(1, database.schema());
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** A DataSource whose connections, like some pools' proxies, will not unwrap to the driver's. */
  private static DataSource hidingDataSource(DataSource real) {
    InvocationHandler dataSource = (proxy, method, args) -> {
      if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
        Connection connection = real.getConnection();
        InvocationHandler hiding = (p, m, a) -> {
          if (m.getName().equals("isWrapperFor")) {
            return false;
          }
          try {
            return m.invoke(connection, a);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
        return Proxy.newProxyInstance(PostgresChangeFeedTest.class.getClassLoader(),
            new Class<?>[] {Connection.class}, hiding);
      }
      try {
        return method.invoke(real, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (DataSource) Proxy.newProxyInstance(PostgresChangeFeedTest.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, dataSource);
  }
}
