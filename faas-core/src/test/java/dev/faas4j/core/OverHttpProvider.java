package dev.faas4j.core;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import dev.faas4j.core.testing.InMemoryProvider;
import java.util.Optional;
import java.util.Set;

/**
 * A provider with the in-memory lifecycle (held starts, failed starts, crashes, start counts)
 * whose running versions are reached over HTTP, at one endpoint: the proxy's HTTP path without
 * a real runtime. The test owns the HTTP server behind the endpoint.
 */
record OverHttpProvider(InMemoryProvider lifecycle, Endpoint endpoint) implements FunctionProvider {

  @Override
  public String name() {
    return "in-memory-over-http";
  }

  @Override
  public Set<String> runtimes() {
    return lifecycle.runtimes();
  }

  @Override
  public void deploy(FunctionSpec spec) throws Exception {
    lifecycle.deploy(spec);
  }

  @Override
  public void scale(FunctionRef ref, int replicas) throws Exception {
    lifecycle.scale(ref, replicas);
  }

  @Override
  public void undeploy(FunctionRef ref) throws Exception {
    lifecycle.undeploy(ref);
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    return lifecycle.status(ref);
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    return lifecycle.endpoint(ref).map(inProcess -> endpoint);
  }

  @Override
  public void close() {
    lifecycle.close();
  }
}
