package dev.faas4j.api;

/**
 * Optional provider capability: gives a deployed version new env values (rotated secrets) without
 * a redeploy and without failing a request.
 *
 * <p>Discover it with {@code provider.capability(EnvUpdates.class)}. A provider without it gets
 * the new values when the version is next deployed on it (after a restart of the application).
 */
public interface EnvUpdates {

  /**
   * Makes {@code spec} the definition of the deployed version {@code spec.ref()}. {@code spec}
   * differs from the deployed definition in its {@linkplain FunctionSpec#env() env} only. If an
   * instance is running, a new one is started with the new env and takes every request once it is
   * ready; the old one finishes the requests it was given and is then stopped. Returns when new
   * requests reach the new env. A suspended version simply starts with it next time.
   *
   * @throws FaasException {@code NOT_FOUND} if the version is not deployed here, {@code
   *     INVALID_REQUEST} if {@code spec} differs in more than its env, {@code UNAVAILABLE} if the new
   *     instance cannot start (the old one keeps serving)
   */
  void updateEnv(FunctionSpec spec) throws Exception;
}
