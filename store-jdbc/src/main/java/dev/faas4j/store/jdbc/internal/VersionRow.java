package dev.faas4j.store.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.FunctionVersion;
import dev.faas4j.api.Limits;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.api.Scaling;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLDataException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of {@code faas4j_versions}: a {@link FunctionVersion} with its maps, limits and network
 * policy encoded as JSON text (the {@link Scaling} of a version that has one other than the default
 * goes into the limits' text, as {@code "scaling"}: no column of its own, so no migration), its creation time split into milliseconds and the nanoseconds
 * within that millisecond (so an {@link Instant} round-trips exactly), and a fingerprint of it all.
 *
 * <p>Immutable and thread-safe.
 */
public record VersionRow(
    String version,
    String specName,
    String runtime,
    String code,
    String image,
    String env,
    String labels,
    String options,
    String limits,
    String network,
    long createdAtMillis,
    int createdNanos,
    String fingerprint) {

  /**
   * The columns of {@code faas4j_versions} a version is read from, in the order
   * {@code JdbcFunctionStore} reads them, {@code fn_key} first; an insert adds {@code position}.
   */
  public static final String COLUMNS = "fn_key, version, spec_name, runtime, code, image, env, labels,"
      + " options, limits, network, created_at, created_nanos, fingerprint";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {};

  /** Encodes a version. The caller has checked it with {@link StoreInput}. */
  public static VersionRow of(FunctionVersion version) {
    FunctionSpec spec = version.spec();
    Instant created = version.createdAt();
    long millis = Math.addExact(Math.multiplyExact(created.getEpochSecond(), 1000L), created.getNano() / 1_000_000);
    int nanos = created.getNano() % 1_000_000;
    String env = map(spec.env());
    String labels = map(spec.labels());
    String options = map(spec.options());
    String limits = limits(spec.limits(), spec.scaling());
    String network = network(spec.network());
    String fingerprint = fingerprint(spec.name(), spec.version(), spec.runtime(), spec.code(), spec.image(),
        env, labels, options, limits, network, Long.toString(millis), Integer.toString(nanos));
    return new VersionRow(spec.version(), spec.name(), spec.runtime(), spec.code(), spec.image(),
        env, labels, options, limits, network, millis, nanos, fingerprint);
  }

  /** Decodes the row back into the version it was made from. */
  public FunctionVersion toVersion() throws SQLDataException {
    try {
      FunctionSpec spec = new FunctionSpec(specName, version, runtime, code, image,
          JSON.readValue(env, STRING_MAP), JSON.readValue(labels, STRING_MAP), readLimits(limits),
          readNetwork(network), JSON.readValue(options, STRING_MAP), readScaling(limits));
      return new FunctionVersion(spec, Instant.ofEpochMilli(createdAtMillis).plusNanos(createdNanos));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new SQLDataException("stored version " + specName + ":" + version
          + " cannot be read back (was the faas4j_versions table edited by hand?): " + e.getMessage(), e);
    }
  }

  private static String map(Map<String, String> map) {
    return write(JSON.valueToTree(new TreeMap<>(map)));
  }

  private static String limits(Limits limits, Scaling scaling) {
    ObjectNode node = JSON.createObjectNode();
    node.put("memoryBytes", limits.memoryBytes());
    node.put("cpus", limits.cpus());
    node.put("pids", limits.pids());
    if (limits.timeout() != null) {
      node.put("timeout", limits.timeout().toString());
    }
    if (limits.maxConcurrency() > 0) {
      // Only when set, so that the text (and the fingerprint) of a version stored before the field is unchanged.
      node.put("maxConcurrency", limits.maxConcurrency());
    }
    if (!scaling.equals(Scaling.DEFAULT)) {
      // Likewise only when set: a version stored before scaling existed reads back as the default.
      ObjectNode scalingNode = node.putObject("scaling");
      scalingNode.put("min", scaling.min());
      scalingNode.put("max", scaling.max());
      scalingNode.put("targetConcurrency", scaling.targetConcurrency());
      scalingNode.put("window", scaling.window().toString());
      scalingNode.put("scaleDownDelay", scaling.scaleDownDelay().toString());
    }
    return write(node);
  }

  private static Scaling readScaling(String limitsText) throws JsonProcessingException {
    JsonNode node = JSON.readTree(limitsText).get("scaling");
    if (node == null || node.isNull()) {
      return Scaling.DEFAULT;
    }
    return new Scaling(node.path("min").asInt(0), node.path("max").asInt(1),
        node.path("targetConcurrency").asInt(Scaling.DEFAULT_TARGET_CONCURRENCY),
        Duration.parse(node.path("window").asText(Scaling.DEFAULT_WINDOW.toString())),
        Duration.parse(node.path("scaleDownDelay").asText(Scaling.DEFAULT_SCALE_DOWN_DELAY.toString())));
  }

  private static Limits readLimits(String text) throws JsonProcessingException {
    JsonNode node = JSON.readTree(text);
    JsonNode timeout = node.get("timeout");
    return new Limits(node.path("memoryBytes").asLong(0), node.path("cpus").asDouble(0), node.path("pids").asInt(0),
        timeout == null || timeout.isNull() ? null : Duration.parse(timeout.asText()), node.path("maxConcurrency").asInt(0));
  }

  private static String network(NetworkPolicy network) {
    if (network == null) {
      return null;
    }
    ObjectNode node = JSON.createObjectNode();
    ArrayNode allow = node.putArray("allow");
    network.allow().forEach(allow::add);
    ArrayNode deny = node.putArray("deny");
    network.deny().forEach(deny::add);
    return write(node);
  }

  private static NetworkPolicy readNetwork(String text) throws JsonProcessingException {
    if (text == null) {
      return null;
    }
    JsonNode node = JSON.readTree(text);
    return new NetworkPolicy(strings(node.path("allow")), strings(node.path("deny")));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(element -> values.add(element.asText()));
    return values;
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a tree of strings and numbers as JSON", e);
    }
  }

  /** SHA-256 over the fields, each length-prefixed so that no two different rows hash alike by framing. */
  private static String fingerprint(String... fields) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String field : fields) {
        if (field == null) {
          digest.update((byte) 0);
          continue;
        }
        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
        digest.update((byte) 1);
        digest.update(longBytes(bytes.length));
        digest.update(bytes);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM, which every Java platform must provide", e);
    }
  }

  private static byte[] longBytes(long value) {
    byte[] bytes = new byte[8];
    for (int i = 7; i >= 0; i--) {
      bytes[i] = (byte) value;
      value >>>= 8;
    }
    return bytes;
  }

  /** A string that leaves out the code and env values, which may be large or secret. */
  @Override
  public String toString() {
    return "VersionRow[" + specName + ":" + version + ", fingerprint=" + fingerprint + "]";
  }
}
