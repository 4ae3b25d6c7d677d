package dev.faas4j.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that defines one version of a function. Immutable once deployed: redeploying the
 * same version with a different definition is a conflict.
 *
 * <p>The constructor validates the structure (names are DNS labels, env keys are identifiers,
 * code or image present) and throws {@link FaasException} with reason
 * {@code INVALID_REQUEST} otherwise; a provider validates the rest (does the code start, does
 * the image exist) when it deploys the version. Use {@link #builder(String)} to build one.
 *
 * @param name the function's name, in the spelling it was deployed with (a DNS label)
 * @param version the version, canonical lower case (a DNS label)
 * @param runtime which kind of function this is: {@code "js"} for workerd, {@code "docker"} for
 *     a container image, {@code "java"} for an in-process handler; a provider announces which
 *     runtimes it serves
 * @param code the source code, or null for runtimes that take an image
 * @param image the container image, or null for runtimes that take code
 * @param env environment variables, exposed to the function (bindings in workerd)
 * @param labels free-form metadata, passed through to containers
 * @param limits resource limits
 * @param network outbound network policy, or null for the provider's default
 * @param options provider-specific settings (documented by each provider), e.g. {@code format}
 * @param scaling how many replicas may run and when faas-core adds or removes them; null for
 *     {@link Scaling#DEFAULT} (one replica, suspended when idle)
 */
public record FunctionSpec(
    String name,
    String version,
    String runtime,
    String code,
    String image,
    Map<String, String> env,
    Map<String, String> labels,
    Limits limits,
    NetworkPolicy network,
    Map<String, String> options,
    Scaling scaling) {

  public FunctionSpec {
    Validation.requireLabel("function name", name);
    version = Validation.canonical(Validation.requireLabel("version", version));
    if (runtime == null || runtime.isBlank()) {
      throw FaasException.invalid("runtime is required");
    }
    if ((code == null || code.isEmpty()) && (image == null || image.isEmpty())) {
      throw FaasException.invalid("code is required (or an image, for container runtimes)");
    }
    if (code != null) {
      Validation.requireText("code", code);
    }
    if (image != null) {
      Validation.requireText("image", image);
    }
    env = Map.copyOf(Validation.requireEnv(env == null ? Map.of() : env));
    labels = Map.copyOf(labels == null ? Map.of() : labels);
    labels.forEach((key, value) -> {
      Validation.requireText("label name", key);
      Validation.requireText("label '" + Validation.abbreviate(key) + "'", value);
    });
    limits = limits == null ? Limits.NONE : limits;
    options = Map.copyOf(Validation.requireOptions(options == null ? Map.of() : options));
    scaling = scaling == null ? Scaling.DEFAULT : scaling;
  }

  /** A spec with the default {@link Scaling}. */
  public FunctionSpec(String name, String version, String runtime, String code, String image, Map<String, String> env,
      Map<String, String> labels, Limits limits, NetworkPolicy network, Map<String, String> options) {
    this(name, version, runtime, code, image, env, labels, limits, network, options, Scaling.DEFAULT);
  }

  /** The canonical reference to this version. */
  public FunctionRef ref() {
    return new FunctionRef(name, version);
  }

  /**
   * Whether {@code other} defines the same function version: equal in everything but the
   * spelling of the name. Redeploying a version whose definition is the same is a no-op.
   */
  public boolean sameDefinitionAs(FunctionSpec other) {
    return ref().equals(other.ref())
        && runtime.equals(other.runtime)
        && Objects.equals(code, other.code)
        && Objects.equals(image, other.image)
        && env.equals(other.env)
        && labels.equals(other.labels)
        && limits.equals(other.limits)
        && Objects.equals(network, other.network)
        && options.equals(other.options)
        && scaling.equals(other.scaling);
  }

  /** Returns a copy of this spec with another version. */
  public FunctionSpec withVersion(String newVersion) {
    return new FunctionSpec(name, newVersion, runtime, code, image, env, labels, limits, network, options, scaling);
  }

  /** A string that never includes the code or env values, which may be large or secret. */
  @Override
  public String toString() {
    return "FunctionSpec[" + name + ":" + version + ", runtime=" + runtime
        + (image != null ? ", image=" + image : "") + ", env=" + env.keySet() + "]";
  }

  /** Starts a builder for a version of the function {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A mutable builder; not thread-safe. {@link #build()} validates. */
  public static final class Builder {
    private final String name;
    private String version;
    private String runtime = "js";
    private String code;
    private String image;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Limits limits = Limits.NONE;
    private NetworkPolicy network;
    private final Map<String, String> options = new LinkedHashMap<>();
    private Scaling scaling = Scaling.DEFAULT;

    private Builder(String name) {
      this.name = name;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public Builder runtime(String runtime) {
      this.runtime = runtime;
      return this;
    }

    public Builder code(String code) {
      this.code = code;
      return this;
    }

    public Builder image(String image) {
      this.image = image;
      return this;
    }

    public Builder env(String key, String value) {
      this.env.put(key, value);
      return this;
    }

    public Builder env(Map<String, String> env) {
      this.env.putAll(env);
      return this;
    }

    public Builder label(String key, String value) {
      this.labels.put(key, value);
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      this.labels.putAll(labels);
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = limits;
      return this;
    }

    public Builder network(NetworkPolicy network) {
      this.network = network;
      return this;
    }

    public Builder option(String key, String value) {
      this.options.put(key, value);
      return this;
    }

    public Builder options(Map<String, String> options) {
      this.options.putAll(options);
      return this;
    }

    public Builder scaling(Scaling scaling) {
      this.scaling = scaling;
      return this;
    }

    /** Builds the spec. */
    public FunctionSpec build() {
      return new FunctionSpec(name, version, runtime, code, image, env, labels, limits, network, options, scaling);
    }
  }
}
