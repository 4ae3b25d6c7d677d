package dev.faas4j.workerd;

import dev.faas4j.api.FunctionSpec;
import java.nio.file.Path;

/**
 * A "gateway" run in a child JVM by {@link WorkerdLeftoversTest}: it deploys one function, prints
 * the workerd pid, and waits for its stdin to close, to be killed with SIGKILL before it can
 * clean up.
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
      // wait for the test to kill this JVM
    }
    provider.close();
  }
}
