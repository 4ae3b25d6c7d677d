package dev.faas4j.api;

/**
 * Optional provider capability: pauses the instances of an idle version instead of terminating
 * them, and resumes them in about a millisecond when the next request comes.
 *
 * <p>A frozen instance keeps its memory, its listening socket and its endpoint, but runs no code:
 * it uses no CPU, and connections to it wait (the kernel queues them) until it is thawed. faas-core
 * freezes a version after its idle timeout, thaws it on the next request before forwarding it, and
 * terminates it ({@code scale(ref, 0)}) after a longer idle or when frozen instances hold more
 * memory than the budget. Discover it with {@code provider.capability(Freezing.class)}; a provider
 * without it has its idle versions terminated directly.
 *
 * <p>Implementations are thread-safe. faas-core never calls {@link #freeze}, {@link #thaw} or
 * {@link FunctionProvider#scale} concurrently for the same version. {@link FunctionProvider#scale}
 * and {@link FunctionProvider#undeploy} must work on a frozen version (thawing it first if the
 * mechanism needs that to stop it), and {@code scale(ref, n)} with {@code n >= 1} thaws it: a frozen
 * instance is not ready to serve.
 */
public interface Freezing {

  /**
   * Pauses every running instance of the version. Idempotent; does nothing for a version with no
   * running instance.
   *
   * @throws FaasException {@code NOT_FOUND} if the version is not deployed here
   */
  void freeze(FunctionRef ref) throws Exception;

  /**
   * Resumes every frozen instance of the version and returns once they run again. Idempotent.
   *
   * @throws FaasException {@code NOT_FOUND} if the version is not deployed here
   */
  void thaw(FunctionRef ref) throws Exception;

  /**
   * The memory the version's frozen instances hold, in bytes (resident set or cgroup usage); 0
   * when none is frozen or it cannot be measured. Cheap; never throws.
   */
  long frozenMemoryBytes(FunctionRef ref);
}
