package dev.faas4j.examples.jetty;
// readme:begin handler

import dev.faas4j.core.AdminAuthenticator;
import dev.faas4j.core.Faas;
import dev.faas4j.core.FaasAdminServlet;
import dev.faas4j.core.FaasHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/** faas4j on Jetty 12's core API: {@link FaasHandler} in front of the application, no filter. */
public final class FaasHandlerSetup {

  private FaasHandlerSetup() {}

  /** Functions first; every other request goes to {@code app}, which also gets the admin API. */
  public static void mount(Faas faas, Server server, ServletContextHandler app, String adminToken) {
    FaasAdminServlet admin = new FaasAdminServlet(faas, AdminAuthenticator.bearerToken(adminToken));
    app.addServlet(new ServletHolder(admin), "/faas4j/api/*");
    server.setHandler(new FaasHandler(faas, app));
  }
}
// readme:end handler
