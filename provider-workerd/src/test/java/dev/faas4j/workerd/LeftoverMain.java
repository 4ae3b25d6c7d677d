package dev.faas4j.workerd;

import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.Limits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A "gateway" run in a child JVM by {@link WorkerdLeftoversTest}. With mode {@code ready} it deploys
 * one function and prints {@code PID <workerd pid>}; with mode {@code starting} it deploys one whose
 * global scope never returns (so its workerd never gets ready) and prints {@code STARTING} once
 * that code runs; with mode {@code ready-N} it deploys N functions and prints {@code PIDS <pid> ...};
 * with mode {@code limited} it deploys one with limits and prints {@code PID <pid> CGROUPS <dir> ...};
 * with mode {@code frozen} it deploys one, freezes it and prints {@code PID <pid>}.
 * Then it waits until it is killed with SIGKILL (a crash) or its stdin is closed
 * (then it exits normally without closing the provider).
 */
public final class LeftoverMain {

  private LeftoverMain() {}

  public static void main(String[] args) throws Exception {
    WorkerdProvider provider = WorkerdProvider.builder().binary(Path.of(args[0])).dataDir(Path.of(args[1]))
        .startTimeout(Duration.ofMinutes(5)).build();
    if (args[2].equals("starting")) {
      FunctionSpec spec = FunctionSpec.builder("stuck").version("v1")
          .code("console.log('spinning'); for (;;) {}").build();
      Thread deploy = new Thread(() -> {
        try {
          provider.deploy(spec);
        } catch (Exception e) {
          e.printStackTrace();
        }
      }, "deploy");
      deploy.setDaemon(true);
      deploy.start();
      // The console line comes from the function's own code: workerd was spawned well before it.
      while (provider.logs(spec.ref(), 50).stream().noneMatch(line -> line.contains("spinning"))) {
        Thread.sleep(10);
      }
      System.out.println("STARTING");
    } else if (args[2].startsWith("ready-")) {
      StringBuilder pids = new StringBuilder("PIDS");
      for (int i = 0; i < Integer.parseInt(args[2].substring("ready-".length())); i++) {
        FunctionSpec spec = FunctionSpec.builder("orphan" + i).version("v1")
            .code("addEventListener('fetch', e => e.respondWith(new Response('orphan')));").build();
        provider.deploy(spec);
        pids.append(' ').append(provider.pid(spec.ref()).orElseThrow());
      }
      System.out.println(pids);
    } else if (args[2].equals("limited")) {
      FunctionSpec spec = FunctionSpec.builder("orphan").version("v1")
          .code("addEventListener('fetch', e => e.respondWith(new Response('orphan')));")
          .limits(new Limits(64L << 20, 1, 64, null)).build();
      provider.deploy(spec);
      System.out.println("PID " + provider.pid(spec.ref()).orElseThrow() + " CGROUPS "
          + provider.cgroupDir(spec.ref(), "memory").orElseThrow() + " " + provider.cgroupDir(spec.ref(), "cpu").orElseThrow()
          + " " + provider.cgroupDir(spec.ref(), "pids").orElseThrow());
    } else {
      FunctionSpec spec = FunctionSpec.builder("orphan").version("v1")
          .code("addEventListener('fetch', e => e.respondWith(new Response('orphan')));").build();
      provider.deploy(spec);
      if (args[2].equals("frozen")) {
        provider.freeze(spec.ref());
      }
      System.out.println("PID " + provider.pid(spec.ref()).orElseThrow());
    }
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait: the test either kills this JVM or closes its stdin
    }
    // A normal exit without close(): the provider's shutdown hook must stop workerd.
    System.exit(0);
  }
}
