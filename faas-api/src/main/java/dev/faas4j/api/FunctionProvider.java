package dev.faas4j.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A backend that runs function versions: workerd processes, Docker containers, in-process
 * handlers.
 *
 * <p>A provider manages instances; it does not route or proxy. faas-core decides when a version
 * runs and how many instances it needs, asks the provider for an {@link Endpoint} of a ready
 * instance, and forwards function traffic there itself.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Methods may be called concurrently for different versions. faas-core never calls
 *       {@link #deploy}, {@link #scale} or {@link #undeploy} concurrently for the <em>same</em>
 *       version, so a provider needs no per-version locking of its own beyond memory visibility.
 *   <li>{@link #endpoint} is called on every request and must be cheap and non-blocking.
 *   <li>Methods may throw checked exceptions; faas-core wraps anything that is not a
 *       {@link FaasException} into one with reason {@code INTERNAL} (for deploy/undeploy) or
 *       {@code UNAVAILABLE} (for scale). Throw a {@link FaasException} to choose the reason and
 *       the message users see: {@code INVALID_FUNCTION} for a function that is itself broken
 *       (syntax error, missing image), {@code UNAVAILABLE} for an instance that cannot start now.
 *   <li>Failure messages carry what the user needs to fix the problem: an exit code and the last
 *       lines of output, not just "start failed".
 *   <li>Optional capabilities ({@link FunctionLogs}, {@link Freezing}, ...) are separate interfaces, discovered
 *       with {@link #capability(Class)}; a missing capability is reported to API clients as
 *       "not supported" (501).
 * </ul>
 */
public interface FunctionProvider extends AutoCloseable {

  /** A short name for logs and messages: {@code "workerd"}, {@code "docker"}, {@code "in-memory"}. */
  String name();

  /** The {@link FunctionSpec#runtime() runtimes} this provider serves, e.g. {@code Set.of("js")}. */
  Set<String> runtimes();

  /**
   * Prepares a version so that it can be started, and validates it as far as the provider can
   * (a provider may start an instance to do so, and may leave it running; faas-core then decides
   * with {@link #scale} how many instances stay).
   *
   * <p>Idempotent for an equal spec. If this throws, nothing of the version is left behind.
   *
   * @throws FaasException with reason {@code INVALID_FUNCTION} if the function itself is refused
   */
  void deploy(FunctionSpec spec) throws Exception;

  /**
   * Sets the number of instances of a deployed version and returns when that many are ready.
   * Zero stops every instance (the version is suspended, and can be scaled up again). Idempotent:
   * instances that are ready are kept, instances that died are replaced. faas-core asks for more
   * than one only for a version whose {@link FunctionSpec#scaling()} allows it; a provider that can
   * run only one instance per version may treat any positive count as one (and then
   * {@link #endpoints} has at most one entry).
   *
   * @throws FaasException with reason {@code NOT_FOUND} if the version was not deployed here, or
   *     {@code UNAVAILABLE} if it cannot be started; the message includes the instance's output
   */
  void scale(FunctionRef ref, int replicas) throws Exception;

  /**
   * Stops every instance of a version and removes everything the provider keeps for it
   * (files, containers). Does nothing for a version it does not know.
   */
  void undeploy(FunctionRef ref) throws Exception;

  /** What the provider knows about a version; {@code STOPPED} for an unknown one. Never throws. */
  VersionStatus status(FunctionRef ref);

  /**
   * An endpoint of a ready instance, spreading calls across replicas; empty if no instance is
   * ready (not deployed, scaled to zero, or every instance died). Cheap, non-blocking, never
   * throws.
   */
  Optional<Endpoint> endpoint(FunctionRef ref);

  /**
   * The endpoint of every ready instance of a version, one per replica, in a stable order; empty if
   * none is ready. faas-core spreads requests over them itself (to the one serving the fewest
   * requests), so a provider that runs several replicas should override this. The default returns
   * {@link #endpoint} as a list, which is right for a provider that runs one instance per version.
   * Cheap, non-blocking, never throws.
   */
  default List<Endpoint> endpoints(FunctionRef ref) {
    return endpoint(ref).map(List::of).orElse(List.of());
  }

  /**
   * An optional capability of this provider, such as {@link FunctionLogs}. The default returns
   * this provider itself when it implements {@code type}.
   */
  default <T> Optional<T> capability(Class<T> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
  }

  /** Stops every instance this provider started and releases its resources. Idempotent. */
  @Override
  void close();
}
