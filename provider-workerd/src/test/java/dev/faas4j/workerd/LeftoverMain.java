package dev.faas4j.workerd;

import dev.faas4j.api.FunctionSpec;
import java.nio.file.Path;

/**
 * A "gateway" run in a child JVM by {@link WorkerdLeftoversTest}: it deploys one function, prints
 * the workerd pid, and waits until it is killed with SIGKILL (a crash) or its stdin is closed
 * (then it exits normally without closing the provider).
 */
public final class LeftoverMain {

  private LeftoverMain() {}

  public static void main(String[] args) throws Exception {
    WorkerdProvider provider = WorkerdProvider.builder().binary(Path.of(args[0])).dataDir(Path.of(args[1])).build();
    FunctionSpec spec = FunctionSpec.builder("orphan").version("v1")
        .code("addEventListener('fetch', e => e.respondWith(new Response('orphan')));").build();
    provider.deploy(spec);
    System.out.println("PID " + provider.pid(spec.ref()).orElseThrow());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait: the test either kills this JVM or closes its stdin
    }
    // A normal exit without close(): the provider's shutdown hook must stop workerd.
    System.exit(0);
  }
}
