package dev.faas4j.core.internal.runtime;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.FunctionProvider;
import dev.faas4j.api.FunctionRef;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.VersionStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/** A provider of made-up replicas: replica i of a version is {@code 127.0.0.1:(20000 + i)}; it records every scale. */
final class ReplicaProvider implements FunctionProvider {

  final List<Integer> scales = new CopyOnWriteArrayList<>();
  private volatile int replicas;

  static Endpoint replica(int i) {
    return Endpoint.Http.loopback(20000 + i);
  }

  int replicas() {
    return replicas;
  }

  @Override
  public String name() {
    return "replicas";
  }

  @Override
  public Set<String> runtimes() {
    return Set.of("js");
  }

  @Override
  public void deploy(FunctionSpec spec) {}

  @Override
  public void scale(FunctionRef ref, int replicas) {
    scales.add(replicas);
    this.replicas = replicas;
  }

  @Override
  public void undeploy(FunctionRef ref) {
    replicas = 0;
  }

  @Override
  public VersionStatus status(FunctionRef ref) {
    int n = replicas;
    return new VersionStatus(ref, n > 0 ? VersionStatus.State.RUNNING : VersionStatus.State.STOPPED, n, n, "");
  }

  @Override
  public Optional<Endpoint> endpoint(FunctionRef ref) {
    return replicas > 0 ? Optional.of(replica(0)) : Optional.empty();
  }

  @Override
  public List<Endpoint> endpoints(FunctionRef ref) {
    return new ArrayList<>(IntStream.range(0, replicas).mapToObj(ReplicaProvider::replica).toList());
  }

  @Override
  public void close() {}
}
