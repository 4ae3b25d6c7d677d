package dev.faas4j.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every test of the real gateway jar needs: a temp data dir, gateways started on it, and
 * after each test an orderly stop of all of them and a check that no workerd process is left.
 */
abstract class GatewayTestSupport {

  @TempDir
  Path dataDir;

  /** Every gateway started by the test, in order. */
  final List<GatewayProcess> gateways = new ArrayList<>();

  @AfterEach
  void stopGatewaysAndCheckForLeftovers() throws Exception {
    for (GatewayProcess gateway : gateways) {
      gateway.close();
    }
    List<Long> left = GatewayProcess.workerdProcessesUnder(dataDir);
    // fail the test, but leave nothing running behind it (a failed test may skip its own clean-up)
    left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    assertThat(left).as("workerd processes left").isEmpty();
  }

  /** Starts the gateway jar on {@link #dataDir} with extra flags; stopped after the test. */
  GatewayProcess start(String... args) throws Exception {
    GatewayProcess gateway = GatewayProcess.start(dataDir, args);
    gateways.add(gateway);
    return gateway;
  }
}
