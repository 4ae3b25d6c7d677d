package dev.faas4j.workerd.internal;

import dev.faas4j.api.FaasException;
import dev.faas4j.api.FunctionSpec;
import dev.faas4j.api.NetworkPolicy;
import dev.faas4j.workerd.internal.CapnpMessage.Struct;
import dev.faas4j.workerd.internal.CapnpMessage.StructList;
import dev.faas4j.workerd.internal.CapnpMessage.TextList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes a version's directory: the config workerd runs, {@value #BINARY_CONFIG_FILE}, and the same
 * config as text, {@value #CONFIG_FILE}, with the code and one file per env value that it embeds.
 * Stateless and thread-safe.
 *
 * <p>workerd runs the binary form ({@code serve --binary}): a Cap'n Proto message it reads as it
 * is, where the text form would first make it compile its whole config schema, about 2 ms of
 * every start on the project's machines. The text form is for people and tools (it is what {@code
 * workerd compile --config-only} turns into the same bytes, which the tests check); both carry
 * the same config.
 *
 * <p>User input never becomes config syntax. In the binary form every value is a length-prefixed
 * text. In the text form the code and every env value reach workerd through {@code embed} of their
 * own file (read byte for byte), env keys are identifiers (checked by {@link
 * dev.faas4j.api.Validation}) and double as file names, network entries are checked by {@link
 * NetworkPolicy}, and every string literal is written with {@link CapnpText#quote}.
 *
 * <p>An ES-module function runs behind {@link ConsolePrelude}'s two modules (its own module stays a
 * file of its own, {@code worker.js}); a service-worker script runs alone, with the compatibility
 * flag {@value #SERVICE_WORKER_FLAG}. workerd logs in JSON lines ({@link StructuredLines}), so that
 * every console line keeps its level.
 */
public final class ConfigWriter {

  /** The text config's name inside a version directory. */
  public static final String CONFIG_FILE = "config.capnp";
  /**
   * The binary config's name inside a version directory: what workerd runs. It ends in {@code
   * .capnp} like the text form, so that tools that look for workerd configs find it in a process's
   * command line.
   */
  public static final String BINARY_CONFIG_FILE = "config.binary.capnp";
  /** A file that marks a directory as one this provider wrote, so cleanup touches nothing else. */
  public static final String MARKER_FILE = ".faas4j-workerd";
  /** The options this provider understands. */
  public static final Set<String> OPTIONS = Set.of("format", "compatibility-date");
  /**
   * The compatibility flag a service-worker script runs with: under the new module registry workerd
   * writes its console calls as a module's, with their level (the legacy one logs every level as
   * one {@code info} line). A service-worker script imports nothing, so nothing else changes for it.
   */
  static final String SERVICE_WORKER_FLAG = "new_module_registry";
  /** The compatibility date used when the spec has none. */
  public static final String DEFAULT_COMPATIBILITY_DATE = "2025-09-01";

  private static final String CODE_FILE = "worker.js";
  private static final String ENV_DIR = "env";
  private static final Pattern DATE = Pattern.compile("20[0-9]{2}-[01][0-9]-[0-3][0-9]");

  private ConfigWriter() {}

  /**
   * Checks the provider-specific parts of a spec (options) without writing anything.
   *
   * @throws FaasException INVALID_REQUEST for an unknown option or a bad option value
   */
  public static WorkerFormat checkOptions(FunctionSpec spec) {
    for (String key : spec.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw FaasException.invalid("option '" + key + "' is not known to the workerd provider; it understands "
            + OPTIONS.stream().sorted().collect(Collectors.joining(", ")));
      }
    }
    String date = spec.options().get("compatibility-date");
    if (date != null && !DATE.matcher(date).matches()) {
      throw FaasException.invalid("option compatibility-date='" + WorkerFormat.abbreviate(date)
          + "' is not a date: use YYYY-MM-DD, e.g. " + DEFAULT_COMPATIBILITY_DATE);
    }
    if (spec.code() == null || spec.code().isEmpty()) {
      throw FaasException.invalid("the workerd provider runs JavaScript code; " + spec.ref() + " has none");
    }
    return WorkerFormat.of(spec.options().get("format"), spec.code());
  }

  /**
   * Writes {@code spec} into {@code dir}, which must not exist yet. Code and env values are
   * secrets of the deployer: on a POSIX file system every directory is mode 700 and every file 600.
   *
   * @param network the policy to apply (the spec's own or the provider's default)
   * @return the binary config file, to run with {@code workerd serve --binary}
   */
  public static Path write(FunctionSpec spec, NetworkPolicy network, Path dir) throws IOException {
    WorkerFormat format = checkOptions(spec);
    OwnerOnlyFiles.createDirectories(dir.getParent());
    OwnerOnlyFiles.createDirectory(dir);
    OwnerOnlyFiles.write(dir.resolve(MARKER_FILE), spec.ref().toString() + "\n");
    OwnerOnlyFiles.write(dir.resolve(CODE_FILE), spec.code());
    if (format == WorkerFormat.MODULE) {
      OwnerOnlyFiles.write(dir.resolve(ConsolePrelude.MAIN), ConsolePrelude.main());
      OwnerOnlyFiles.write(dir.resolve(ConsolePrelude.CONSOLE), ConsolePrelude.console());
    }
    Path envDir = OwnerOnlyFiles.createDirectory(dir.resolve(ENV_DIR));
    Map<String, String> env = new TreeMap<>(spec.env());
    for (Map.Entry<String, String> e : env.entrySet()) {
      OwnerOnlyFiles.write(envDir.resolve(e.getKey()), e.getValue());
    }
    String date = spec.options().getOrDefault("compatibility-date", DEFAULT_COMPATIBILITY_DATE);
    OwnerOnlyFiles.write(dir.resolve(CONFIG_FILE), render(format, env.keySet(), network, date));
    Path config = dir.resolve(BINARY_CONFIG_FILE);
    OwnerOnlyFiles.write(config, renderBinary(format, spec.code(), env, network, date));
    return config;
  }

  /** The config text for a worker whose code and env files are laid out as {@link #write} does. */
  static String render(WorkerFormat format, Set<String> envKeys, NetworkPolicy network, String compatibilityDate) {
    StringBuilder out = new StringBuilder();
    out.append("# Generated by faas4j provider-workerd. Do not edit: it is rewritten on deploy.\n");
    out.append("using Workerd = import \"/workerd/workerd.capnp\";\n\n");
    out.append("const config :Workerd.Config = (\n");
    out.append("  services = [\n");
    out.append("    (name = \"main\", worker = .mainWorker),\n");
    out.append("    (name = \"outbound\", network = (allow = ").append(list(network.allow()))
        .append(", deny = ").append(list(network.deny())).append(")),\n");
    out.append("  ],\n");
    // Port 0: the kernel picks a free port, which workerd reports on its control fd.
    out.append("  sockets = [(name = \"http\", address = \"127.0.0.1:0\", http = (), service = \"main\")],\n");
    // one JSON line per log line, with the level of the console call (StructuredLines reads it)
    out.append("  logging = (structuredLogging = true),\n");
    out.append(");\n\n");
    out.append("const mainWorker :Workerd.Worker = (\n");
    if (format == WorkerFormat.MODULE) {
      // The first module is the main one: faas4j's, which loads its console module, then the function's.
      out.append("  modules = [");
      String separator = "";
      for (String module : List.of(ConsolePrelude.MAIN, ConsolePrelude.CONSOLE, CODE_FILE)) {
        out.append(separator).append("(name = ").append(CapnpText.quote(module)).append(", esModule = embed ")
            .append(CapnpText.quote(module)).append(")");
        separator = ", ";
      }
      out.append("],\n");
    } else {
      out.append("  serviceWorkerScript = embed ").append(CapnpText.quote(CODE_FILE)).append(",\n");
      out.append("  compatibilityFlags = [").append(CapnpText.quote(SERVICE_WORKER_FLAG)).append("],\n");
    }
    out.append("  compatibilityDate = ").append(CapnpText.quote(compatibilityDate)).append(",\n");
    out.append("  bindings = [\n");
    for (String key : envKeys) {
      out.append("    (name = ").append(CapnpText.quote(key)).append(", text = embed ")
          .append(CapnpText.quote(ENV_DIR + "/" + key)).append("),\n");
    }
    out.append("  ],\n");
    out.append("  globalOutbound = \"outbound\",\n");
    out.append(");\n");
    return out.toString();
  }

  /**
   * The same config as {@link #render}, as a binary Cap'n Proto message with the code and the env
   * values inline. Struct sizes, pointer slots and discriminants are those of workerd's {@code
   * workerd.capnp} (field numbers in the comments); Cap'n Proto never moves an existing field, so
   * they hold for every workerd version.
   */
  static byte[] renderBinary(WorkerFormat format, String code, Map<String, String> env, NetworkPolicy network,
      String compatibilityDate) {
    // Worker (1 data word, 16 pointers): union {modules @0, serviceWorkerScript @1} in ptr 0 with its
    // discriminant at bit 0; compatibilityDate @3 ptr 1; bindings @5 ptr 3; globalOutbound @6 ptr 4.
    Struct worker = new Struct(1, 16).text(1, compatibilityDate);
    if (format == WorkerFormat.MODULE) {
      // Module (1, 3): name @0 ptr 0; esModule @1 in ptr 1, discriminant 0.
      worker.uint16(0, 0).pointer(0, new StructList(1, 3, List.of(
          new Struct(1, 3).text(0, ConsolePrelude.MAIN).text(1, ConsolePrelude.main()),
          new Struct(1, 3).text(0, ConsolePrelude.CONSOLE).text(1, ConsolePrelude.console()),
          new Struct(1, 3).text(0, CODE_FILE).text(1, code))));
    } else {
      // compatibilityFlags @4 ptr 2
      worker.uint16(0, 1).text(0, code).pointer(2, new TextList(List.of(SERVICE_WORKER_FLAG)));
    }
    // Binding (1, 6): name @0 ptr 0; text @4 in ptr 1, discriminant 2.
    List<Struct> bindings = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      bindings.add(new Struct(1, 6).uint16(0, 2).text(0, e.getKey()).text(1, e.getValue()));
    }
    worker.pointer(3, new StructList(1, 6, bindings)).pointer(4, serviceDesignator("outbound"));
    // Service (1, 2): name @0 ptr 0; union {worker @2 = 1, network @3 = 2} in ptr 1, discriminant at bit 0.
    Struct main = new Struct(1, 2).text(0, "main").uint16(0, 1).pointer(1, worker);
    // Network (0, 3): allow @0 ptr 0 (its default is ["public"], so an empty list must be written),
    // deny @1 ptr 1.
    Struct outbound = new Struct(1, 2).text(0, "outbound").uint16(0, 2)
        .pointer(1, new Struct(0, 3).pointer(0, new TextList(network.allow())).pointer(1, new TextList(network.deny())));
    // Socket (2, 5): name @0 ptr 0; address @1 ptr 1; union {http @2 = 0, ...} in ptr 2; service @5 ptr 4.
    // HttpOptions (1, 5): all defaults.
    Struct socket = new Struct(2, 5).text(0, "http").text(1, "127.0.0.1:0").uint16(0, 0)
        .pointer(2, new Struct(1, 5)).pointer(4, serviceDesignator("main"));
    // Config (1, 7): services @0 ptr 0; sockets @1 ptr 1; logging @6 ptr 5.
    // LoggingOptions (1, 2): structuredLogging @0, bit 0.
    Struct config = new Struct(1, 7)
        .pointer(0, new StructList(1, 2, List.of(main, outbound)))
        .pointer(1, new StructList(2, 5, List.of(socket)))
        .pointer(5, new Struct(1, 2).uint16(0, 1));
    return CapnpMessage.write(config);
  }

  /** ServiceDesignator (1, 3): name @0 ptr 0; props.empty (discriminant 0). */
  private static Struct serviceDesignator(String name) {
    return new Struct(1, 3).text(0, name);
  }

  private static String list(List<String> entries) {
    return entries.stream().map(CapnpText::quote).collect(Collectors.joining(", ", "[", "]"));
  }
}
