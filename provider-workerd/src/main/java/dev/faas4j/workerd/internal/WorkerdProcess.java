package dev.faas4j.workerd.internal;

import dev.faas4j.api.Endpoint;
import dev.faas4j.api.LogLine;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * One running {@code workerd serve} process and the two threads that read its output.
 *
 * <h2>Readiness through the control fd</h2>
 * workerd reports {@code {"event":"listen","socket":"http","port":P}} on the descriptor given
 * to {@code --control-fd} once its socket listens. {@link ProcessBuilder} only wires fds 0-2, so
 * the process is started as
 * {@code sh -c 'echo $$ >"$0"; <join cgroups>; exec "$@" 3>&1 1>&2' <pid file> <n> <n cgroup.procs files>
 * workerd serve --control-fd 3 ...}: the shell records its own pid (which stays workerd's pid), joins
 * its cgroups (below), points fd 3 at the stdout pipe, points
 * workerd's own stdout at the stderr pipe, and then replaces itself with workerd (same pid, no
 * shell left behind). The Java side therefore reads control messages, and nothing else, from
 * {@link Process#getInputStream()}, and all of workerd's output (including the function's console
 * lines) from {@link Process#getErrorStream()}. This needs no FIFO or temp file and no polling;
 * and since the function's own output can never reach the control pipe, a function cannot forge a
 * "listen" line to redirect traffic to another port. End of file on the control pipe means the
 * process exited.
 *
 * <h2>The pid file</h2>
 * The pid file is written by the child itself before it becomes workerd, so a process exists only
 * once it is recorded: a JVM killed at any moment of a start (even before {@link #start} returns,
 * and however long workerd then takes to get ready) leaves a pid file that the next provider on
 * the data dir finds. If the file cannot be written, the shell exits (code 2, its message on the
 * output) and workerd never starts.
 *
 * <h2>Cgroups</h2>
 * Between the pid file and {@code exec}, the shell writes its pid into each {@code cgroup.procs}
 * file it was given ({@link Cgroups.Group#procsFiles()}), so workerd starts inside its limits and
 * never runs a moment outside them. If one cannot be written, the shell exits with code 3 and a
 * message, and workerd never starts.
 *
 * <h2>Environment</h2>
 * workerd does not inherit the application's environment, which often holds secrets (a database
 * password, {@code FAAS4J_SECRET_KEY}): a function reaches only the bindings its config gives it,
 * but code that escaped V8 could read {@code /proc/self/environ}. Both ways of starting workerd give
 * it {@link #ENVIRONMENT} and nothing else.
 *
 * <h2>Spares</h2>
 * Joining cgroups on v1 waits for an RCU grace period, 10-30 ms on an idle machine, so a start
 * usually takes a {@link SpareProcess} instead: the same shell, started ahead of time, that has
 * joined a spare set of groups and waits for its version. The provider writes the version's limits
 * into those groups and its pid file, then hands it the config; it becomes workerd only after that,
 * so both promises above hold for it too. {@link #attach} reads its output like that of a process
 * started here.
 *
 * <p>Thread-safe: {@link #stop} may be called from any thread, more than once.
 */
public final class WorkerdProcess {

  private static final Pattern LISTEN = Pattern.compile("\"event\"\\s*:\\s*\"listen\"");
  private static final Pattern PORT = Pattern.compile("\"port\"\\s*:\\s*([0-9]{1,5})");
  private static final Duration DRAIN = Duration.ofSeconds(5);
  /** Shell lines that join the {@code $1} cgroups whose {@code cgroup.procs} files follow it, and shift them off. */
  static final String JOIN_CGROUPS = "n=$1; shift\n"
      + "while [ \"$n\" -gt 0 ]; do\n"
      + "  echo $$ >\"$1\" || { echo \"faas4j: cannot join cgroup $1\" >&2; exit 3; }\n"
      + "  shift; n=$((n - 1))\n"
      + "done\n";
  /**
   * The whole environment of the shells that become workerd: a fixed {@code PATH}, and {@code TZ}
   * when the application has one, so that a function's local time stays the application's.
   */
  static final Map<String, String> ENVIRONMENT = environment(System.getenv());

  /** The spawning shell's script; see the class comment. */
  private static final String SPAWN = "echo $$ >\"$0\" || exit 2\n" + JOIN_CGROUPS + "exec \"$@\" 3>&1 1>&2\n";

  private final Process process;
  private final int port;
  private final Endpoint endpoint;
  private final LogBuffer ownLines;
  private final Thread controlReader;
  private final Thread outputReader;
  private volatile boolean stopRequested;
  private volatile String killReason;

  private WorkerdProcess(Process process, int port, LogBuffer ownLines, Thread controlReader, Thread outputReader) {
    this.process = process;
    this.port = port;
    this.endpoint = Endpoint.Http.loopback(port);
    this.ownLines = ownLines;
    this.controlReader = controlReader;
    this.outputReader = outputReader;
  }

  /**
   * Starts workerd on {@code config} and returns once it listens.
   *
   * @param binaryConfig whether {@code config} is a binary Cap'n Proto message ({@code serve
   *     --binary}) rather than text
   * @param pidFile where the process records its pid as soon as it exists (see the class comment);
   *     the caller deletes it once the process is gone, also after a {@link StartFailure}
   * @param threadName prefix for the reader threads' names
   * @param log receives every output line
   * @param sink also receives every output line (the version's log buffer)
   * @throws StartFailure if it exits first or is not ready within {@code timeout}; the process is
   *     gone when this is thrown
   */
  public static WorkerdProcess start(Path binary, Path config, boolean binaryConfig, Path pidFile, Duration timeout,
      String threadName, Logger log, Consumer<String> sink) throws StartFailure, IOException {
    return start(binary, config, binaryConfig, pidFile, List.of(), timeout, threadName, log, sink);
  }

  /**
   * {@link #start(Path, Path, boolean, Path, Duration, String, Logger, Consumer)} inside cgroups:
   * the process writes its pid into each of {@code cgroupProcs} before it becomes workerd.
   */
  public static WorkerdProcess start(Path binary, Path config, boolean binaryConfig, Path pidFile,
      List<Path> cgroupProcs, Duration timeout, String threadName, Logger log, Consumer<String> sink)
      throws StartFailure, IOException {
    // $0 is the pid file, $1 the number of cgroup.procs files that follow, then workerd's command.
    // /bin/sh by its path: a lookup in PATH would run whatever "sh" the application's PATH finds first.
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", SPAWN, pidFile.toAbsolutePath().toString(),
        Integer.toString(cgroupProcs.size())));
    cgroupProcs.forEach(file -> command.add(file.toAbsolutePath().toString()));
    command.addAll(List.of(binary.toString(), "serve", "--verbose", "--control-fd", "3"));
    if (binaryConfig) {
      command.add("--binary");
    }
    command.add(config.toAbsolutePath().toString());
    ProcessBuilder builder = withOwnEnvironment(new ProcessBuilder(command))
        .directory(config.getParent().toFile())
        .redirectInput(new File("/dev/null"));
    return attach(builder.start(), timeout, threadName, log, sink);
  }

  /** {@code builder} with {@link #ENVIRONMENT} in place of the application's environment. */
  static ProcessBuilder withOwnEnvironment(ProcessBuilder builder) {
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.putAll(ENVIRONMENT);
    return builder;
  }

  static Map<String, String> environment(Map<String, String> application) {
    Map<String, String> environment = new TreeMap<>();
    environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    String timeZone = application.get("TZ");
    if (timeZone != null) {
      environment.put("TZ", timeZone);
    }
    return Map.copyOf(environment);
  }

  /**
   * Reads the output of {@code process}, a shell that is to become workerd as the class comment
   * says (started here, or a {@link SpareProcess} just handed its config), and returns once it
   * listens.
   *
   * @throws StartFailure if it exits first or is not ready within {@code timeout}; the process is
   *     gone when this is thrown
   */
  static WorkerdProcess attach(Process process, Duration timeout, String threadName, Logger log,
      Consumer<String> sink) throws StartFailure, IOException {
    LogBuffer ownLines = new LogBuffer(50);
    CompletableFuture<Integer> listening = new CompletableFuture<>();

    Thread outputReader = reader(threadName + "-output", process.getErrorStream(), structured -> {
      for (String raw : StructuredLines.expand(structured)) {
        readOutputLine(raw, ownLines, sink, log);
      }
    }, () -> { });
    Thread controlReader = reader(threadName + "-control", process.getInputStream(), line -> {
      Matcher port = PORT.matcher(line);
      if (LISTEN.matcher(line).find() && port.find()) {
        listening.complete(Integer.parseInt(port.group(1)));
      } else {
        log.debug("control message: {}", line);
      }
    }, () -> listening.completeExceptionally(new IOException("control pipe closed: workerd exited")));
    outputReader.start();
    controlReader.start();

    try {
      int port = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new WorkerdProcess(process, port, ownLines, controlReader, outputReader);
    } catch (ExecutionException exited) {
      int code = waitForExit(process);
      join(outputReader);
      join(controlReader);
      List<String> lines = ownLines.last(30);
      throw new StartFailure("workerd exited with code " + code + " before it was ready"
          + describe(lines), code, lines);
    } catch (TimeoutException slow) {
      terminate(process, Duration.ofSeconds(2));
      join(outputReader);
      join(controlReader);
      List<String> lines = ownLines.last(30);
      throw new StartFailure("workerd did not report a listening socket within " + timeout.toMillis()
          + " ms (raise startTimeout if the machine is slow)" + describe(lines), null, lines);
    } catch (InterruptedException e) {
      terminate(process, Duration.ZERO);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting workerd", e);
    }
  }

  /** One plain line of workerd's output: kept for a start failure's report, given to the sink, logged. */
  private static void readOutputLine(String raw, LogBuffer ownLines, Consumer<String> sink, Logger log) {
    ownLines.add(raw);
    String line = WorkerdOutput.clean(raw);
    if (line == null) {
      return;
    }
    sink.accept(line);
    ConsoleMarks.Marked marked = ConsoleMarks.read(line);
    if (marked.level() == LogLine.Level.ERROR || LogBuffer.isError(line)) {
      log.error("{}", marked.text());
    } else if (marked.level() == LogLine.Level.WARN) {
      log.warn("{}", marked.text());
    } else {
      log.info("{}", marked.text());
    }
  }

  private static String describe(List<String> lines) {
    return lines.isEmpty() ? "; it wrote nothing" : "; its last output:\n" + String.join("\n", lines);
  }

  private static Thread reader(String name, InputStream in, Consumer<String> onLine, Runnable onEnd) {
    Thread thread = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          onLine.accept(line);
        }
      } catch (IOException ignored) {
        // The pipe was closed under us: the process is gone, which onEnd reports.
      } finally {
        onEnd.run();
      }
    }, name);
    thread.setDaemon(true);
    return thread;
  }

  private static int waitForExit(Process process) {
    try {
      if (process.waitFor(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      process.destroyForcibly();
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join(DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends SIGTERM, waits up to {@code grace}, then SIGKILL; returns once the process is gone. */
  static void terminate(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** The port workerd reported. */
  public int port() {
    return port;
  }

  /** The endpoint on that port; the same object every time. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /**
   * Whether the process is alive and serving; as cheap as {@link Process#isAlive()}. False from the
   * moment {@link #kill} is called: the process serves nothing more, although the kernel and the
   * JVM take a moment to end and reap it, and a request sent to it meanwhile would fail.
   */
  public boolean isAlive() {
    return killReason == null && process.isAlive();
  }

  /** Whether {@link #stop} or {@link #requestStop} was called: an exit after that is not a crash. */
  public boolean stopRequested() {
    return stopRequested;
  }

  /** Completes when the process has exited. */
  public CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** The exit code; only meaningful once the process exited. */
  public int exitCode() {
    return process.exitValue();
  }

  /** The process's last output lines, oldest first. */
  public List<String> lastLines(int max) {
    return ownLines.last(max);
  }

  /** Waits (a few seconds at most) until the output readers saw the end of a process that exited. */
  public void awaitOutput() {
    join(outputReader);
    join(controlReader);
  }

  /**
   * Kills the process at once (SIGKILL) for {@code reason}. Its exit still counts as a crash (it was
   * not asked to stop); {@link #killReason} tells why it happened.
   */
  public void kill(String reason) {
    killReason = reason;
    process.destroyForcibly();
  }

  /** Why {@link #kill} ended the process, or null. */
  public String killReason() {
    return killReason;
  }

  /** Sends SIGTERM without waiting; {@link #stop} completes the job. */
  public void requestStop() {
    stopRequested = true;
    process.destroy();
  }

  /** Terminates the process (SIGTERM, then SIGKILL after {@code grace}) and waits for its readers. */
  public void stop(Duration grace) {
    // A process that already exited on its own is not marked: its exit still counts as a crash.
    if (process.isAlive()) {
      stopRequested = true;
    }
    terminate(process, grace);
    join(outputReader);
    join(controlReader);
  }
}
