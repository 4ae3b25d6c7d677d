package dev.faas4j.spring.boot.internal;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.core.testing.InMemoryStore;
import dev.faas4j.spring.boot.FaasProperties;
import dev.faas4j.spring.boot.FaasProperties.ProviderType;
import dev.faas4j.spring.boot.FaasProperties.StoreType;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import java.nio.file.Path;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the store {@code faas4j.store.*} asks for. */
public final class Stores {

  private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

  private Stores() {}

  /**
   * The store type {@code auto} stands for: in memory with the in-memory provider, else the
   * application's DataSource if it has one, else SQLite.
   */
  public static StoreType resolve(FaasProperties properties, boolean hasDataSource) {
    StoreType type = properties.getStore().getType();
    if (type != StoreType.AUTO) {
      return type;
    }
    if (properties.getProvider() == ProviderType.IN_MEMORY) {
      return StoreType.IN_MEMORY;
    }
    return hasDataSource ? StoreType.DATASOURCE : StoreType.SQLITE;
  }

  /**
   * Builds the store. The application's DataSource stays the application's: closing the store
   * leaves it open.
   *
   * @param dataSource the application's DataSource, or null when it has none
   * @throws IllegalStateException when the database cannot be used, saying which property to change
   */
  public static FunctionStore create(FaasProperties properties, DataSource dataSource) {
    StoreType type = resolve(properties, dataSource != null);
    try {
      switch (type) {
        case IN_MEMORY:
          LOG.info("faas4j keeps functions in memory (faas4j.store.type or faas4j.provider=in-memory):"
              + " they are gone after a restart");
          return new InMemoryStore();
        case DATASOURCE:
          if (dataSource == null) {
            throw new IllegalStateException("faas4j.store.type=datasource, but the application has no DataSource");
          }
          LOG.info("faas4j keeps functions in the application's DataSource");
          return JdbcFunctionStore.builder(dataSource).build();
        default:
          Path file = sqliteFile(properties);
          LOG.info("faas4j keeps functions in the SQLite file {}", file.toAbsolutePath());
          return JdbcFunctionStore.sqlite(file);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("faas4j cannot use its " + type.name().toLowerCase(java.util.Locale.ROOT)
          + " store: " + e.getMessage() + (type == StoreType.DATASOURCE
              ? ". faas4j needs PostgreSQL or SQLite; to keep functions elsewhere set faas4j.store.type=sqlite"
              : ""), e);
    }
  }

  /** {@code faas4j.store.sqlite-file}, or {@code <data-dir>/faas.db}. */
  static Path sqliteFile(FaasProperties properties) {
    Path configured = properties.getStore().getSqliteFile();
    return configured != null ? configured : properties.getDataDir().resolve("faas.db");
  }
}
