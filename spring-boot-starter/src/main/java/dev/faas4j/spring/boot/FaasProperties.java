package dev.faas4j.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * The {@code faas4j.*} settings, bound by Spring Boot from {@code application.properties}, the
 * environment ({@code FAAS4J_ADMIN_TOKEN}) or the command line ({@code --faas4j.domain=fn.example.com}).
 * Every one has a default; an application that sets none gets workerd, an SQLite file under
 * {@code faas-data}, function hosts under {@code func.local}, and no admin API.
 *
 * <p>Mutable (as Spring binds it); read it once at start-up. Not thread-safe.
 */
@ConfigurationProperties("faas4j")
public class FaasProperties {

  /** Which provider runs functions (see setProvider). */
  public enum ProviderType {
    /** One workerd process per running version: real JavaScript. */
    WORKERD,
    /**
     * Functions run in this JVM as Java FunctionHandlers, and nothing starts a process: for
     * the application's own tests.
     */
    IN_MEMORY
  }

  /** Where functions are kept (see setType). */
  public enum StoreType {
    /** The application's DataSource if it has one, else SQLite; in memory with the in-memory provider. */
    AUTO,
    /** An SQLite file, faas4j.store.sqlite-file. */
    SQLITE,
    /** The application's DataSource (PostgreSQL or SQLite), which several instances may share. */
    DATASOURCE,
    /** A map in this JVM: nothing survives a restart. */
    IN_MEMORY
  }

  /** Whether faas4j is configured at all. */
  private boolean enabled = true;

  /**
   * The directory for faas4j's files: workerd's working directories (DATA_DIR/workerd)
   * and the SQLite store (DATA_DIR/faas.db). Relative paths are resolved against the
   * working directory.
   */
  private Path dataDir = Path.of("faas-data");

  /**
   * The domain function hosts live under: version v1 of hello answers at
   * v1.hello.DOMAIN, its latest version at hello.DOMAIN.
   */
  private String domain = "func.local";

  /**
   * A path prefix under which functions are also reached without a Host header, e.g. /fn:
   * /fn/hello/... and /fn/hello@v1/.... Unset: functions are reached by Host only.
   */
  private String mountPath;

  /**
   * Where clients reach this application, e.g. https://app.example.com: the scheme and port
   * of the accessUrl the admin API answers with, and the base of its pathUrl.
   * Unset: taken from each admin request (scheme, host, port and context path).
   */
  private URI publicBaseUrl;

  /** Which provider runs functions: workerd, or in-memory for the application's tests. */
  private ProviderType provider = ProviderType.WORKERD;

  /**
   * How long a version may go without requests before it is frozen (its workerd process paused,
   * memory kept; the next request thaws it in milliseconds) or, where the provider cannot freeze,
   * suspended (stopped; the next request starts it again).
   */
  private Duration idleTimeout = Duration.ofSeconds(60);

  /**
   * How long a version stays frozen, counted from its last request, before it is terminated. 0: no
   * frozen tier, idle versions are terminated at once.
   */
  private Duration frozenTimeout = Duration.ofMinutes(15);

  /**
   * The most memory frozen versions may hold together; beyond it the least recently used are
   * terminated.
   */
  private DataSize frozenMemoryBudget = DataSize.ofMegabytes(512);

  /** How long a request waits for a version to start before it is answered 503. */
  private Duration startTimeout = Duration.ofSeconds(30);

  /** How long a function may take to start answering before the client gets 504. */
  private Duration requestTimeout = Duration.ofSeconds(30);

  /** Whether the latest version of each function is started at deploy and never suspended. */
  private boolean keepLatestWarm = true;

  /** Whether the latest versions of stored functions are started when the application starts. */
  private boolean eagerRestore = false;

  /** The largest request body forwarded to a function; larger ones are answered 413. */
  private DataSize maxRequestBodySize = DataSize.ofMegabytes(10);

  /**
   * The order of the filter that serves function traffic. First by default, so that a request for
   * a function reaches neither the application's filters nor Spring MVC.
   */
  private int filterOrder = Ordered.HIGHEST_PRECEDENCE;

  /**
   * The key that encrypts functions' secrets in the store (AES-256-GCM): the base64 of 32 bytes,
   * as openssl rand -base64 32 prints it. Every instance sharing a store needs the same key. Unset:
   * the environment variable FAAS4J_SECRET_KEY; without either, setting a secret is refused.
   */
  private String secretKey;

  /** The concurrency limit, its waiting line, and the sticky key of weighted aliases. */
  @NestedConfigurationProperty
  private final FaasTrafficProperties traffic = new FaasTrafficProperties();

  /** Asynchronous invocations: workers, queue depth, retries, lease and callbacks. */
  @NestedConfigurationProperty
  private final FaasAsyncProperties async = new FaasAsyncProperties();

  private final Admin admin = new Admin();
  private final Workerd workerd = new Workerd();
  private final Store store = new Store();
  private final Metrics metrics = new Metrics();

  /** faas4j's Micrometer meters. */
  public static class Metrics {

    /** Whether faas4j's meters are registered in the application's MeterRegistry, when it has one. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** The admin HTTP API: deploy, roll back, list, stop, delete, aliases. */
  public static class Admin {

    /**
     * Whether the admin API is served. Unset: served when faas4j.admin.token is set, else
     * not. Enabling it without credentials fails the start unless
     * faas4j.admin.allow-unauthenticated is true.
     */
    private Boolean enabled;

    /**
     * The path the admin API is served under, e.g. /faas4j/api/deploy/hello. The default
     * leaves /api to the application.
     */
    private String path = "/faas4j/api";

    /** The token admin requests must carry, as Authorization: Bearer TOKEN. */
    private String token;

    /** Whether the admin API may be served with no credentials at all: anyone who reaches the port may deploy code. */
    private boolean allowUnauthenticated = false;

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getToken() {
      return token;
    }

    public void setToken(String token) {
      this.token = token;
    }

    public boolean isAllowUnauthenticated() {
      return allowUnauthenticated;
    }

    public void setAllowUnauthenticated(boolean allowUnauthenticated) {
      this.allowUnauthenticated = allowUnauthenticated;
    }
  }

  /** The workerd provider. */
  public static class Workerd {

    /**
     * The workerd binary. Unset: FAAS4J_WORKERD, then workerd on the PATH, then the
     * cache the faas4j build fills (see provider-workerd's README).
     */
    private Path binary;

    /** workerd's working directories, one per running version. Unset: DATA_DIR/workerd. */
    private Path dataDir;

    public Path getBinary() {
      return binary;
    }

    public void setBinary(Path binary) {
      this.binary = binary;
    }

    public Path getDataDir() {
      return dataDir;
    }

    public void setDataDir(Path dataDir) {
      this.dataDir = dataDir;
    }
  }

  /** Where functions, versions and aliases are kept. */
  public static class Store {

    /**
     * auto (the application's DataSource if there is one, else SQLite; in memory with the
     * in-memory provider), sqlite, datasource or in-memory.
     */
    private StoreType type = StoreType.AUTO;

    /** The SQLite file. Unset: DATA_DIR/faas.db. */
    private Path sqliteFile;

    public StoreType getType() {
      return type;
    }

    public void setType(StoreType type) {
      this.type = type;
    }

    public Path getSqliteFile() {
      return sqliteFile;
    }

    public void setSqliteFile(Path sqliteFile) {
      this.sqliteFile = sqliteFile;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Path getDataDir() {
    return dataDir;
  }

  public void setDataDir(Path dataDir) {
    this.dataDir = dataDir;
  }

  public String getDomain() {
    return domain;
  }

  public void setDomain(String domain) {
    this.domain = domain;
  }

  public String getMountPath() {
    return mountPath;
  }

  public void setMountPath(String mountPath) {
    this.mountPath = mountPath;
  }

  public URI getPublicBaseUrl() {
    return publicBaseUrl;
  }

  public void setPublicBaseUrl(URI publicBaseUrl) {
    this.publicBaseUrl = publicBaseUrl;
  }

  public ProviderType getProvider() {
    return provider;
  }

  public void setProvider(ProviderType provider) {
    this.provider = provider;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Duration getFrozenTimeout() {
    return frozenTimeout;
  }

  public void setFrozenTimeout(Duration frozenTimeout) {
    this.frozenTimeout = frozenTimeout;
  }

  public DataSize getFrozenMemoryBudget() {
    return frozenMemoryBudget;
  }

  public void setFrozenMemoryBudget(DataSize frozenMemoryBudget) {
    this.frozenMemoryBudget = frozenMemoryBudget;
  }

  public Duration getStartTimeout() {
    return startTimeout;
  }

  public void setStartTimeout(Duration startTimeout) {
    this.startTimeout = startTimeout;
  }

  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public void setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  public boolean isKeepLatestWarm() {
    return keepLatestWarm;
  }

  public void setKeepLatestWarm(boolean keepLatestWarm) {
    this.keepLatestWarm = keepLatestWarm;
  }

  public boolean isEagerRestore() {
    return eagerRestore;
  }

  public void setEagerRestore(boolean eagerRestore) {
    this.eagerRestore = eagerRestore;
  }

  public DataSize getMaxRequestBodySize() {
    return maxRequestBodySize;
  }

  public void setMaxRequestBodySize(DataSize maxRequestBodySize) {
    this.maxRequestBodySize = maxRequestBodySize;
  }

  public int getFilterOrder() {
    return filterOrder;
  }

  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }

  public String getSecretKey() {
    return secretKey;
  }

  public void setSecretKey(String secretKey) {
    this.secretKey = secretKey;
  }

  public FaasTrafficProperties getTraffic() {
    return traffic;
  }

  public FaasAsyncProperties getAsync() {
    return async;
  }

  public Admin getAdmin() {
    return admin;
  }

  public Workerd getWorkerd() {
    return workerd;
  }

  public Store getStore() {
    return store;
  }

  public Metrics getMetrics() {
    return metrics;
  }
}
