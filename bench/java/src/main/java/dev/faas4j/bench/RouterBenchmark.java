package dev.faas4j.bench;

import dev.faas4j.core.internal.routing.Route;
import dev.faas4j.core.internal.routing.Router;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of request recognition: how many Host headers or paths the {@link Router} turns into
 * a route per second, for each shape of function traffic and for a request that is not function
 * traffic (it must be passed on quickly). Run by {@code bench/run.sh router}.
 *
 * <p>Not part of the library; JMH owns the threads. The fields are not final so that the JIT
 * cannot fold the inputs into constants.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark {

  private Router router = new Router("func.local", "/fn");
  private String latestHost = "hello.func.local:8081";
  private String versionHost = "v1.hello.func.local:8081";
  private String otherHost = "www.example.com";
  private String path = "/api/items";
  private String query = "x=1";
  private String mountedPath = "/fn/hello@v1/api/items";

  /** {@code hello.func.local} → the latest version. */
  @Benchmark
  public Route hostLatest() {
    return router.route(latestHost, path, query);
  }

  /** {@code v1.hello.func.local} → version v1. */
  @Benchmark
  public Route hostVersion() {
    return router.route(versionHost, path, query);
  }

  /** {@code /fn/hello@v1/...} under another host → version v1 by path. */
  @Benchmark
  public Route pathVersion() {
    return router.route(otherHost, mountedPath, query);
  }

  /** A request for the application itself: must come back null. */
  @Benchmark
  public Route notFunctionTraffic() {
    return router.route(otherHost, path, query);
  }
}
