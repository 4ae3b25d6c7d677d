package dev.faas4j.examples.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's settings, from command-line flags and, for any flag not given, from the
 * environment variable of the same meaning ({@code --data-dir} ↔ {@code FAAS4J_DATA_DIR}).
 *
 * @param port the HTTP port; 0 picks a free one
 * @param bind the address to listen on
 * @param domain the domain function hosts live under
 * @param dataDir where the SQLite file and workerd's working directories live
 * @param idleTimeout how long a version may be idle before it is suspended
 * @param adminToken the bearer token the admin API requires, or null for none
 * @param adminBasic {@code user:password} for HTTP basic auth on the admin API, or null for none
 * @param jdbcUrl a PostgreSQL JDBC URL to use instead of SQLite, or null
 * @param requestTimeout how long a function may take to answer before the client gets 504
 * @param startTimeout how long a request waits for a version to start before it gets 503
 * @param maxBodyBytes the largest request body forwarded to a function (larger gets 413)
 * @param dbBusyTimeout how long a write waits for a locked SQLite database before it fails (503)
 * @param keepLatestWarm whether the latest version of every function keeps running
 * @param forwardedHeaders whether functions get X-Forwarded-For, -Proto and -Host
 * @param limits how much of the gateway one caller, or the callers of one function, may hold
 * @param maxHops how many times one request may be forwarded to functions (X-Faas4j-Hops) before 508
 * @param cluster how this gateway keeps up with the others sharing its PostgreSQL database
 * @param statusAuth whether /metrics, /healthz and /readyz need the admin API's credentials
 * @param mountPath a path prefix such as {@code /fn} under which functions also answer by path, or null
 * @param dockerHost the Docker engine ({@code unix://...} or {@code tcp://...}) that runs container
 *     functions (runtime {@code docker}), or null to run JavaScript functions only
 * @param accessLog whether every request is logged (with its X-Request-Id) by the access log
 * @param traffic the waiting line, sticky keys, asynchronous invocations and the secret key
 * @param frozen how long idle versions stay frozen, and how much memory they may hold so
 * @param help whether {@code --help} was asked for
 */
record GatewayOptions(
    int port, String bind, String domain, Path dataDir, Duration idleTimeout, String adminToken, String adminBasic,
    String jdbcUrl, Duration requestTimeout, Duration startTimeout, long maxBodyBytes, Duration dbBusyTimeout,
    boolean keepLatestWarm, boolean forwardedHeaders, Limits limits, int maxHops, Cluster cluster, boolean statusAuth,
    String mountPath, String dockerHost, boolean accessLog, TrafficOptions traffic, Frozen frozen, boolean help) {

  /**
   * The frozen tier: idle versions are frozen (paused, memory kept) before they are terminated.
   *
   * @param timeout how long a version stays frozen, from its last request; zero: no frozen tier
   * @param memoryBudgetBytes the most memory frozen versions hold together; beyond it the least
   *     recently used are terminated
   */
  record Frozen(Duration timeout, long memoryBudgetBytes) {}

  /**
   * How a gateway takes part in a cluster of gateways sharing one database.
   *
   * @param nodeId this gateway's id in {@code GET /api/nodes}, or null for the host name with a random suffix
   * @param syncInterval how often it polls the database for other gateways' changes (besides NOTIFY)
   * @param heartbeatInterval how often it writes its heartbeat
   * @param nodeExpiry how long after its last heartbeat a gateway is still listed
   */
  record Cluster(String nodeId, Duration syncInterval, Duration heartbeatInterval, Duration nodeExpiry) {}

  /**
   * What keeps slow or numerous clients from starving the gateway.
   *
   * @param maxClientConnections the most client connections open at once; 0 for the default,
   *     {@link #defaultMaxClientConnections()}
   * @param headerTimeout how long a client may take to send a request's head once it started it
   * @param maxConnectionsPerFunction the most upstream connections one function instance may hold
   * @param clientStallTimeout how long a function may wait on a client that stalls
   * @param minClientBytesPerSecond the lowest rate a client may send or read at while it is waited on
   * @param maxInFlight the most function requests served at once, all functions together
   */
  record Limits(
      int maxClientConnections, Duration headerTimeout, int maxConnectionsPerFunction,
      Duration clientStallTimeout, long minClientBytesPerSecond, int maxInFlight) {

    /** File descriptors kept for everything but client connections: the upstream pool, workerd, the store. */
    static final int RESERVED_DESCRIPTORS = 2048;

    /** The connection cap used when none is set: 10,000, or the file-descriptor limit less a reserve. */
    static int defaultMaxClientConnections() {
      long limit = -1;
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
        limit = unix.getMaxFileDescriptorCount();
      }
      if (limit <= 0) {
        return 10_000;
      }
      return (int) Math.max(64, Math.min(10_000, limit - RESERVED_DESCRIPTORS));
    }

    /** {@link #maxClientConnections()} as applied. */
    int clientConnections() {
      return maxClientConnections > 0 ? maxClientConnections : defaultMaxClientConnections();
    }
  }

  static final String USAGE = """
      Usage: java -jar faas-gateway.jar [options]

        --port N            HTTP port for the admin API and function traffic (default 8081; 0 = any free port)
        --bind ADDR         address to listen on (default 127.0.0.1)
        --domain D          functions answer at {version}.{name}.D and {name}.D (default func.local)
        --data-dir DIR      SQLite file and workerd working directories (default ./faas-data)
        --idle-timeout T    freeze (or, where the provider cannot, suspend) versions idle this long:
                            500ms, 2s, 5m, 1h (default 60s)
        --frozen-timeout T  terminate a frozen version T after its last request (default 15m);
                            0s: no frozen tier, idle versions are terminated at once
        --frozen-memory-budget MB  the most memory frozen versions hold together, in MiB; beyond it
                            the least recently used are terminated (default 512)
        --admin-token TOK   require "Authorization: Bearer TOK" on the admin API (default: no auth)
        --admin-basic U:P   require HTTP basic auth with user U and password P on the admin API;
                            with --admin-token too, either credential is accepted
        --request-timeout T a function that has not started answering after T gets 504 (default 30s);
                            a deploy's limits.timeout_ms overrides it for that version
        --start-timeout T   a request waits at most T for a version to start, then gets 503 (default 30s)
        --max-body-bytes N  the largest request body forwarded to a function, larger gets 413
                            (default 10485760 = 10 MiB)
        --db-busy-timeout T a change waits at most T for a locked SQLite file, then gets 503 (default 5s)
        --keep-latest-warm B  true (default): the latest version of every function keeps running;
                            false: latest versions are suspended when idle too (for many functions)
        --forwarded-headers B  true (default): functions get X-Forwarded-For (the client's address),
                            X-Forwarded-Proto and X-Forwarded-Host; false: none of them, not even
                            the client's own, so functions learn nothing of who called them
        --max-client-connections N  the most client connections open at once; beyond it the
                            gateway stops accepting until some close (default 10000, or the
                            file-descriptor limit less 2048 when that is lower, at least 64)
        --header-timeout T  a client that started a request must send its whole head within T,
                            or its connection is closed (default 10s)
        --max-connections-per-function N  the most of the 1024 upstream connections one
                            function instance may hold; more requests to it wait briefly, then
                            get 503, while other functions keep theirs (default 256)
        --client-stall-timeout T  while a function waits on a client (for more of its upload, or
                            for it to read the answer), the client must move the minimum rate's
                            worth of bytes within each T, or gets 408 / is cut off (default 30s)
        --min-client-rate N bytes per second that minimum is made of (default 1024; 0 = one byte)
        --max-in-flight N   the most function requests served at once, all functions together;
                            more wait in a line of --max-queued for up to --queue-timeout, then
                            get 429 with Retry-After (default 10000)
        --max-queued N      how many requests may wait for a place at --max-in-flight, or at a
                            version's limits.max_concurrency; more get 429 at once (default 100)
        --queue-timeout T   how long a request waits in that line before it gets 429 (default 5s)
        --sticky-header H   the request header whose value keeps a client on one version of a
                            weighted alias (default X-Faas4j-Sticky; none = no header)
        --sticky-cookie C   the cookie that does the same when the header is absent
                            (default faas4j-sticky; none = no cookie)
        --async-workers N   how many asynchronous invocations this gateway runs at once (default 4)
        --async-queue-depth N  the most asynchronous invocations pending, all gateways together;
                            more get 429 with Retry-After (default 10000)
        --async-max-attempts N  tries of a call's function, then of its callback (default 5)
        --async-first-backoff T  the wait before a call's second try, doubled for each one after
                            (default 1s)
        --async-max-backoff T  the longest wait between tries (default 5m)
        --async-lease T     how long a gateway holds a call it claimed; if it dies, the others run
                            the call once T has passed (default: --request-timeout + 30s)
        --callback-allow CIDRS  comma-separated CIDRs that callback URLs may reach although they
                            are not public, e.g. 127.0.0.1/32 (default: public addresses only)
        --secret-key-file F a file holding the base64 of the 32-byte key that seals secrets
                            (openssl rand -base64 32 > F); default: FAAS4J_SECRET_KEY holds that
                            base64 itself; without either, setting a secret is refused
        --max-hops N        a request that has already been forwarded to functions N times (its
                            X-Faas4j-Hops header, which a function calling functions passes on)
                            gets 508 Loop Detected (default 16)
        --jdbc-url URL      keep state in PostgreSQL instead of SQLite, e.g.
                            jdbc:postgresql://db:5432/faas?user=faas&password=secret; several
                            gateways on one database serve the same functions (see the README)
        --node-id ID        this gateway's id in GET /api/nodes (default: host name + random suffix)
        --sync-interval T   poll the database for other gateways' changes every T, besides being
                            notified of them at once (default 500ms)
        --heartbeat-interval T  write this gateway's heartbeat every T (default 2s)
        --node-expiry T     list a gateway in GET /api/nodes until its last heartbeat is T old
                            (default 10s; more than the heartbeat interval)
        --status-auth B     true (default): GET /metrics, /healthz and /readyz need the admin
                            API's credentials (when it has any); false: anyone who reaches the
                            port may read them, e.g. a Prometheus or a health probe without them
        --mount-path P      functions also answer by path, without a Host header:
                            P/{name}[@{version|alias}]/rest, e.g. --mount-path /fn (default: by Host only)
        --docker-host URL   run container functions (runtime docker, deployed with an image) on this
                            Docker engine: unix:///var/run/docker.sock or tcp://host:2375
                            (default: none, JavaScript functions only)
        --access-log B      false (default); true: one line per request, with its X-Request-Id,
                            on the logger org.eclipse.jetty.server.RequestLog (stderr)
        --help              print this help

      Each option can also be set with an environment variable: FAAS4J_PORT, FAAS4J_BIND,
      FAAS4J_DOMAIN, FAAS4J_DATA_DIR, FAAS4J_IDLE_TIMEOUT, FAAS4J_FROZEN_TIMEOUT, FAAS4J_FROZEN_MEMORY_BUDGET,
      FAAS4J_ADMIN_TOKEN, FAAS4J_ADMIN_BASIC,
      FAAS4J_JDBC_URL, FAAS4J_REQUEST_TIMEOUT, FAAS4J_START_TIMEOUT, FAAS4J_MAX_BODY_BYTES,
      FAAS4J_DB_BUSY_TIMEOUT, FAAS4J_KEEP_LATEST_WARM, FAAS4J_FORWARDED_HEADERS,
      FAAS4J_MAX_CLIENT_CONNECTIONS, FAAS4J_HEADER_TIMEOUT, FAAS4J_MAX_CONNECTIONS_PER_FUNCTION,
      FAAS4J_CLIENT_STALL_TIMEOUT, FAAS4J_MIN_CLIENT_RATE, FAAS4J_MAX_IN_FLIGHT, FAAS4J_NODE_ID, FAAS4J_SYNC_INTERVAL,
      FAAS4J_HEARTBEAT_INTERVAL, FAAS4J_NODE_EXPIRY,
      FAAS4J_MAX_HOPS, FAAS4J_STATUS_AUTH, FAAS4J_MOUNT_PATH, FAAS4J_DOCKER_HOST, FAAS4J_ACCESS_LOG,
      FAAS4J_MAX_QUEUED, FAAS4J_QUEUE_TIMEOUT, FAAS4J_STICKY_HEADER, FAAS4J_STICKY_COOKIE,
      FAAS4J_ASYNC_WORKERS, FAAS4J_ASYNC_QUEUE_DEPTH, FAAS4J_ASYNC_MAX_ATTEMPTS, FAAS4J_ASYNC_FIRST_BACKOFF,
      FAAS4J_ASYNC_MAX_BACKOFF, FAAS4J_ASYNC_LEASE, FAAS4J_CALLBACK_ALLOW, FAAS4J_SECRET_KEY_FILE.
      A flag wins over its variable.
      """;

  private static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("port", "8081"), Map.entry("bind", "127.0.0.1"), Map.entry("domain", "func.local"),
      Map.entry("data-dir", "./faas-data"), Map.entry("idle-timeout", "60s"), Map.entry("request-timeout", "30s"),
      Map.entry("start-timeout", "30s"), Map.entry("max-body-bytes", Long.toString(10L << 20)),
      Map.entry("db-busy-timeout", "5s"), Map.entry("keep-latest-warm", "true"),
      Map.entry("forwarded-headers", "true"), Map.entry("max-client-connections", "0"),
      Map.entry("header-timeout", "10s"), Map.entry("max-connections-per-function", "256"),
      Map.entry("client-stall-timeout", "30s"), Map.entry("min-client-rate", "1024"),
      Map.entry("max-in-flight", "10000"),
      Map.entry("sync-interval", "500ms"), Map.entry("heartbeat-interval", "2s"), Map.entry("node-expiry", "10s"),
      Map.entry("max-hops", "16"), Map.entry("status-auth", "true"),
      Map.entry("access-log", "false"), Map.entry("frozen-timeout", "15m"), Map.entry("frozen-memory-budget", "512"));
  private static final java.util.Set<String> WITHOUT_DEFAULT =
      java.util.Set.of("admin-token", "admin-basic", "jdbc-url", "node-id", "mount-path", "docker-host");
  /** A mount path: one or more segments of URL-safe characters, without a trailing slash. */
  private static final Pattern MOUNT_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  /** Thrown for bad flags; its message says what is wrong. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static GatewayOptions parse(String[] args, Map<String, String> env) throws UsageException {
    Map<String, String> values = new LinkedHashMap<>();
    java.util.Set<String> known = new java.util.TreeSet<>(DEFAULTS.keySet());
    known.addAll(WITHOUT_DEFAULT);
    known.addAll(TrafficOptions.DEFAULTS.keySet());
    known.addAll(TrafficOptions.WITHOUT_DEFAULT);
    for (String option : known) {
      String fromEnv = env.get("FAAS4J_" + option.toUpperCase(Locale.ROOT).replace('-', '_'));
      if (fromEnv != null && !fromEnv.isEmpty()) {
        values.put(option, fromEnv);
      }
    }
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (!known.contains(name)) {
        throw new UsageException("unknown option --" + name);
      }
      values.put(name, value);
    }
    DEFAULTS.forEach(values::putIfAbsent);
    TrafficOptions.DEFAULTS.forEach(values::putIfAbsent);

    int port;
    try {
      port = Integer.parseInt(values.get("port"));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("--port must be a number from 0 to 65535, was '" + values.get("port") + "'");
    }
    String token = values.get("admin-token");
    if (token != null && token.isBlank()) {
      throw new UsageException("--admin-token must not be blank");
    }
    String basic = values.get("admin-basic");
    if (basic != null && (basic.indexOf(':') < 1 || basic.indexOf(':') == basic.length() - 1)) {
      throw new UsageException("--admin-basic must look like user:password, with neither part empty");
    }
    long maxBody = wholeNumber(values, "max-body-bytes", 0, Long.MAX_VALUE);
    Limits limits = new Limits(
        (int) wholeNumber(values, "max-client-connections", 0, Integer.MAX_VALUE),
        duration("header-timeout", values.get("header-timeout")),
        (int) wholeNumber(values, "max-connections-per-function", 1, Integer.MAX_VALUE),
        duration("client-stall-timeout", values.get("client-stall-timeout")),
        wholeNumber(values, "min-client-rate", 0, Long.MAX_VALUE),
        (int) wholeNumber(values, "max-in-flight", 1, Integer.MAX_VALUE));
    int maxHops = (int) wholeNumber(values, "max-hops", 1, Integer.MAX_VALUE);
    boolean warm = bool(values, "keep-latest-warm");
    boolean forwarded = bool(values, "forwarded-headers");
    String jdbcUrl = values.get("jdbc-url");
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new UsageException("--jdbc-url must be a PostgreSQL JDBC URL (jdbc:postgresql://...)");
    }
    String nodeId = values.get("node-id");
    if (nodeId != null && !nodeId.matches("[!-~]{1,200}")) {
      throw new UsageException("--node-id must be 1 to 200 printable ASCII characters without spaces");
    }
    Cluster cluster = new Cluster(nodeId, duration("sync-interval", values.get("sync-interval")),
        duration("heartbeat-interval", values.get("heartbeat-interval")), duration("node-expiry", values.get("node-expiry")));
    if (cluster.nodeExpiry().compareTo(cluster.heartbeatInterval()) <= 0) {
      throw new UsageException("--node-expiry must be longer than --heartbeat-interval, or live gateways drop out");
    }
    String mountPath = values.get("mount-path");
    if (mountPath != null && (!MOUNT_PATH.matcher(mountPath).matches() || mountPath.equals("/api")
        || mountPath.startsWith("/api/"))) {
      throw new UsageException("--mount-path must look like /fn (segments of letters, digits, '.', '_', '~' and"
          + " '-', no trailing '/') and stay out of the admin API's /api, was '" + mountPath + "'");
    }
    Frozen frozen = new Frozen(
        values.get("frozen-timeout").trim().matches("0+(ms|s|m|h)?") ? Duration.ZERO
            : duration("frozen-timeout", values.get("frozen-timeout")),
        wholeNumber(values, "frozen-memory-budget", 0, Long.MAX_VALUE >> 20) << 20);
    String dockerHost = values.get("docker-host");
    if (dockerHost != null && !dockerHost.matches("(unix|tcp)://\\S+")) {
      throw new UsageException("--docker-host must be a Docker engine address, unix:///var/run/docker.sock or"
          + " tcp://host:2375, was '" + dockerHost + "'");
    }
    return new GatewayOptions(port, values.get("bind"), values.get("domain"),
        Path.of(values.get("data-dir")).toAbsolutePath().normalize(), duration("idle-timeout", values.get("idle-timeout")),
        token, basic, jdbcUrl, duration("request-timeout", values.get("request-timeout")),
        duration("start-timeout", values.get("start-timeout")), maxBody,
        duration("db-busy-timeout", values.get("db-busy-timeout")), warm, forwarded, limits, maxHops, cluster,
        bool(values, "status-auth"), mountPath, dockerHost, bool(values, "access-log"), TrafficOptions.parse(values),
        frozen, help);
  }

  static long wholeNumber(Map<String, String> values, String option, long min, long max)
      throws UsageException {
    long value;
    try {
      value = Long.parseLong(values.get(option));
    } catch (NumberFormatException e) {
      value = min - 1;
    }
    if (value < min || value > max) {
      throw new UsageException("--" + option + " must be a whole number from " + min + " to " + max
          + ", was '" + values.get(option) + "'");
    }
    return value;
  }

  /** {@code s} without control characters, cut to at most 40 characters, for echoing it in a message. */
  static String abbreviate(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= 40 ? printable : printable.substring(0, 37) + "...";
  }

  private static boolean bool(Map<String, String> values, String option) throws UsageException {
    String value = values.get(option);
    if (!value.equals("true") && !value.equals("false")) {
      throw new UsageException("--" + option + " must be true or false, was '" + value + "'");
    }
    return value.equals("true");
  }

  /** Parses {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
  static Duration duration(String option, String text) throws UsageException {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new UsageException("--" + option + " must look like 500ms, 2s, 5m or 1h, was '" + text + "'");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration duration = switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
    if (duration.isZero()) {
      throw new UsageException("--" + option + " must be positive");
    }
    return duration;
  }
}
