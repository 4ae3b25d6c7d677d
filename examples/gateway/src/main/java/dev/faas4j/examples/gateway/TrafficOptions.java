package dev.faas4j.examples.gateway;

import dev.faas4j.core.FaasBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's traffic-control settings: the line in front of {@code --max-in-flight}, the sticky
 * key of weighted aliases, asynchronous invocations and their callbacks, and the secret key. Each
 * flag reaches the {@link FaasBuilder} option of the same meaning ({@link #applyTo}).
 *
 * @param maxQueued how many requests may wait for a place when a concurrency limit is reached
 * @param queueTimeout how long such a request waits before it gets 429
 * @param stickyHeader the request header that keeps a client on one version of a weighted alias, or null for none
 * @param stickyCookie the cookie that does the same when there is no such header, or null for none
 * @param asyncWorkers how many asynchronous invocations this gateway runs at once
 * @param asyncQueueDepth the most pending asynchronous invocations, all gateways together
 * @param asyncMaxAttempts how many times a call's function, then its callback, is tried
 * @param asyncFirstBackoff the wait before the second attempt, doubled for each one after
 * @param asyncMaxBackoff the longest wait between attempts
 * @param asyncLease how long a gateway holds a call it claimed, or null for the request timeout + 30 s
 * @param callbackAllow CIDRs that callback URLs may reach although they are not public
 * @param secretKeyFile a file holding the base64 of the 32-byte key that seals secrets, or null
 */
record TrafficOptions(
    int maxQueued, Duration queueTimeout, String stickyHeader, String stickyCookie, int asyncWorkers,
    int asyncQueueDepth, int asyncMaxAttempts, Duration asyncFirstBackoff, Duration asyncMaxBackoff,
    Duration asyncLease, List<String> callbackAllow, Path secretKeyFile) {

  /** The flags' defaults, those of {@link FaasBuilder}; the word {@code none} turns a sticky source off. */
  static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("max-queued", "100"), Map.entry("queue-timeout", "5s"),
      Map.entry("sticky-header", "X-Faas4j-Sticky"), Map.entry("sticky-cookie", "faas4j-sticky"),
      Map.entry("async-workers", "4"), Map.entry("async-queue-depth", "10000"),
      Map.entry("async-max-attempts", "5"), Map.entry("async-first-backoff", "1s"),
      Map.entry("async-max-backoff", "5m"));
  /** Flags without a default: absent means the builder's own (see the record's components). */
  static final Set<String> WITHOUT_DEFAULT = Set.of("async-lease", "callback-allow", "secret-key-file");

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
  private static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f:.]{2,39}/\\d{1,3}");

  /** Reads the flags of this record from {@code values} (flag name to text, defaults filled in). */
  static TrafficOptions parse(Map<String, String> values) throws GatewayOptions.UsageException {
    int maxQueued = (int) GatewayOptions.wholeNumber(values, "max-queued", 0, Integer.MAX_VALUE);
    Duration queueTimeout = GatewayOptions.duration("queue-timeout", values.get("queue-timeout"));
    String stickyHeader = token(values, "sticky-header");
    String stickyCookie = token(values, "sticky-cookie");
    int workers = (int) GatewayOptions.wholeNumber(values, "async-workers", 1, 10_000);
    int depth = (int) GatewayOptions.wholeNumber(values, "async-queue-depth", 1, Integer.MAX_VALUE);
    int attempts = (int) GatewayOptions.wholeNumber(values, "async-max-attempts", 1, 1_000);
    Duration first = GatewayOptions.duration("async-first-backoff", values.get("async-first-backoff"));
    Duration max = GatewayOptions.duration("async-max-backoff", values.get("async-max-backoff"));
    if (max.compareTo(first) < 0) {
      throw new GatewayOptions.UsageException("--async-max-backoff must not be shorter than --async-first-backoff");
    }
    String lease = values.get("async-lease");
    List<String> allow = List.of();
    String cidrs = values.get("callback-allow");
    if (cidrs != null) {
      allow = Arrays.stream(cidrs.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
      for (String cidr : allow) {
        if (!CIDR.matcher(cidr).matches()) {
          throw new GatewayOptions.UsageException("--callback-allow takes comma-separated CIDRs such as"
              + " 127.0.0.1/32,10.0.0.0/8; '" + GatewayOptions.abbreviate(cidr) + "' is not one");
        }
      }
    }
    Path keyFile = values.get("secret-key-file") == null ? null : Path.of(values.get("secret-key-file"));
    if (keyFile != null) {
      secretKey(keyFile); // refuse a bad file now, with the flag's name
    }
    return new TrafficOptions(maxQueued, queueTimeout, stickyHeader, stickyCookie, workers, depth, attempts, first,
        max, lease == null ? null : GatewayOptions.duration("async-lease", lease), allow, keyFile);
  }

  /** Sets every option on {@code builder}; those left unset keep the builder's defaults. */
  void applyTo(FaasBuilder builder) throws GatewayOptions.UsageException {
    builder.maxQueuedRequests(maxQueued).queueTimeout(queueTimeout).stickyHeader(stickyHeader)
        .stickyCookie(stickyCookie).async(async -> {
          async.workers(asyncWorkers).queueDepth(asyncQueueDepth)
              .retries(asyncMaxAttempts, asyncFirstBackoff, asyncMaxBackoff);
          if (asyncLease != null) {
            async.lease(asyncLease);
          }
          if (!callbackAllow.isEmpty()) {
            async.callbackAllow(callbackAllow.toArray(String[]::new));
          }
        });
    if (secretKeyFile != null) {
      builder.secretKey(secretKey(secretKeyFile));
    }
  }

  /** The 32 bytes whose base64 (e.g. from {@code openssl rand -base64 32}) {@code file} holds. */
  static byte[] secretKey(Path file) throws GatewayOptions.UsageException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new GatewayOptions.UsageException("--secret-key-file " + file + " cannot be read: " + e.getMessage());
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      key = new byte[0];
    }
    if (key.length != 32) {
      // never echo the file's content: it is (meant to be) a key
      throw new GatewayOptions.UsageException("--secret-key-file " + file + " must hold the base64 of 32 bytes,"
          + " as `openssl rand -base64 32` prints it");
    }
    return key;
  }

  private static String token(Map<String, String> values, String option) throws GatewayOptions.UsageException {
    String value = values.get(option);
    if (value.equals("none")) {
      return null;
    }
    if (!TOKEN.matcher(value).matches()) {
      throw new GatewayOptions.UsageException("--" + option + " must be a header or cookie name (letters, digits"
          + " and !#$%&'*+.^_`|~-) or 'none', was '" + GatewayOptions.abbreviate(value) + "'");
    }
    return value;
  }
}
