package dev.faas4j.workerd.internal;

import dev.faas4j.api.Limits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * A shell that has already joined a spare set of cgroups and waits, on its stdin, for the config
 * of the workerd it is to become. On cgroup v1 a process moving between cgroups waits for an RCU
 * grace period, 10-30 ms on an idle machine (bench/README.md, "Where a start's time goes"): a start
 * that takes a spare pays that before it was asked for, not on a request's path.
 *
 * <p>Handing it a version ({@link #become}) writes the version's limits into the spare groups and
 * its pid file (the shell's pid stays workerd's), then sends the config's path; only then does the
 * shell {@code exec} workerd, so workerd never runs outside its limits nor unrecorded, as with
 * {@link WorkerdProcess#start}. A spare whose provider goes away (even killed) reads end of file
 * and exits without starting anything.
 *
 * <p>Not thread-safe: one owner at a time ({@link Spares} hands each out once).
 */
final class SpareProcess {

  /**
   * Joins the cgroups, waits for the workerd binary's path and a binary config's path on stdin, then
   * becomes that workerd in the config's directory. {@code $0} only names the shell in {@code ps};
   * nothing in its command line says workerd before it is one.
   */
  private static final String SCRIPT = WorkerdProcess.JOIN_CGROUPS
      + "IFS= read -r binary && IFS= read -r config || exit 0\n"
      + "cd -- \"${config%/*}\" || exit 4\n"
      + "exec \"$binary\" serve --verbose --control-fd 3 --binary \"$config\" 3>&1 1>&2\n";

  /** The name the shell goes by in {@code ps} until it becomes workerd. */
  static final String NAME = "faas4j-spare";

  private final Process process;
  private final Cgroups.Group group;

  private SpareProcess(Process process, Cgroups.Group group) {
    this.process = process;
    this.group = group;
  }

  /**
   * Creates a spare group and starts a shell in it.
   *
   * @param workingDir where the shell waits (the data dir); workerd runs in its config's directory
   */
  static SpareProcess start(Cgroups cgroups, Path workingDir) throws IOException {
    Cgroups.Group group = cgroups.createSpare();
    try {
      List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, NAME,
          Integer.toString(group.procsFiles().size())));
      group.procsFiles().forEach(file -> command.add(file.toAbsolutePath().toString()));
      Process process = WorkerdProcess.withOwnEnvironment(new ProcessBuilder(command))
          .directory(workingDir.toFile()).start();
      return new SpareProcess(process, group);
    } catch (IOException | RuntimeException e) {
      group.remove();
      throw e;
    }
  }

  /** The spare's groups; the version's once {@link #become} was called. */
  Cgroups.Group group() {
    return group;
  }

  /** Whether the shell still waits (it exits if it could not join a group). */
  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Makes this spare {@code binary} serving {@code config} (a binary config): limits, pid file, then
   * the two paths; returns once workerd listens, as {@link WorkerdProcess#attach}.
   *
   * @throws StartFailure if it exits first or is not ready in time; the process is gone then, the
   *     group is the caller's to remove
   */
  WorkerdProcess become(Path binary, Path config, Limits limits, Path pidFile, Duration timeout, String threadName, Logger log,
      Consumer<String> sink) throws StartFailure, IOException {
    try {
      group.limit(limits);
      Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write((binary.toAbsolutePath() + "\n" + config.toAbsolutePath() + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException gone) {
      // the shell exited meanwhile: attach reports it with the shell's own output
    }
    return WorkerdProcess.attach(process, timeout, threadName, log, sink);
  }

  /** Kills the shell (it never became workerd) and removes its groups; returns once both are gone. */
  void discard() {
    WorkerdProcess.terminate(process, Duration.ZERO);
    group.remove();
  }
}
