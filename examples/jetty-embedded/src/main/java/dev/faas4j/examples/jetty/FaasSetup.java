package dev.faas4j.examples.jetty;
// readme:begin setup

import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasFilter;
import dev.faas4j.store.jdbc.JdbcFunctionStore;
import dev.faas4j.workerd.WorkerdProvider;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/** faas4j in a servlet application: built once at start-up, mounted, closed at shutdown. */
public final class FaasSetup {

  private FaasSetup() {}

  /**
   * Functions run as workerd processes under {@code data/workerd}; what is deployed is kept in
   * {@code data/faas.db} and comes back after a restart.
   *
   * @throws SQLException if the SQLite file cannot be created or opened
   * @throws IllegalStateException if there is no workerd binary, or another JVM uses {@code data/workerd}
   */
  public static Faas create(Path data) throws SQLException {
    JdbcFunctionStore store = JdbcFunctionStore.sqlite(data.resolve("faas.db"));
    try {
      return Faas.builder()
          .provider(WorkerdProvider.builder().dataDir(data.resolve("workerd")).build())
          .store(store)
          .domain("func.local")                 // functions answer at {version}.{name}.func.local
          .mountPath("/fn")                     // optional: also at /fn/{name}[@{version|alias}]/...
          .idleTimeout(Duration.ofMinutes(5))
          .build();
    } catch (RuntimeException e) {
      try {
        store.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Puts the functions in front of the application's own servlets, and the admin API under
   * {@code /faas4j/api/}, which leaves {@code /api/} to the application.
   */
  public static void mount(Faas faas, ServletContextHandler context, String adminToken) {
    // readme:begin mount
    FilterHolder functions = new FilterHolder(new FaasFilter(faas));
    functions.setAsyncSupported(true); // answers are written without holding a thread
    context.addFilter(functions, "/*", EnumSet.of(DispatcherType.REQUEST));
    FaasAdminServlet admin = new FaasAdminServlet(faas, AdminAuthenticator.bearerToken(adminToken));
    context.addServlet(new ServletHolder(admin), "/faas4j/api/*");
    // readme:end mount
  }
}
// readme:end setup
